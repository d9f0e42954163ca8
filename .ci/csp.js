// trunk's post_build hook (Trunk.toml): completes the Content-Security-Policy of the page.
//
// index.html carries the policy as a <meta http-equiv> with the placeholder {{INLINE_SCRIPT_HASHES}}
// in script-src. trunk writes one inline module script of its own (it imports the wasm-bindgen glue
// and starts the wasm), whose text names the build's hashed file names, so its hash is known only
// after the build: this hook reads the finished (minified) index.html in trunk's staging directory,
// hashes every inline <script> as the browser will (SHA-256 of its text, base64) and puts the
// hashes in place of the placeholder.
//
// A debug build (`trunk serve`) gets no policy: trunk serve adds its live-reload script, and the
// policy is the release bundle's. Node only (the toolchain's npm brings it), no packages.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const PLACEHOLDER = "{{INLINE_SCRIPT_HASHES}}";
const file = path.join(process.env.TRUNK_STAGING_DIR, "index.html");
const html = fs.readFileSync(file, "utf8");
const meta = /<meta\b[^>]*Content-Security-Policy[^>]*>/i;

if (!meta.test(html)) {
  console.error(`csp: ${file} has no Content-Security-Policy meta tag`);
  process.exit(1);
}

if (process.env.TRUNK_PROFILE !== "release") {
  fs.writeFileSync(file, html.replace(meta, ""));
  process.exit(0);
}

const hashes = [];
for (const [, attrs, text] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
  if (/\bsrc\s*=/i.test(attrs)) continue;
  hashes.push(`'sha256-${crypto.createHash("sha256").update(text, "utf8").digest("base64")}'`);
}
if (hashes.length === 0) {
  console.error("csp: no inline script found: trunk's loader has changed, check the policy");
  process.exit(1);
}
if (!html.includes(PLACEHOLDER)) {
  console.error(`csp: the policy in ${file} has no ${PLACEHOLDER}`);
  process.exit(1);
}
fs.writeFileSync(file, html.replace(PLACEHOLDER, hashes.join(" ")));
console.log(`csp: script-src allows ${hashes.length} inline script(s) by hash`);
