// LB Playground's service worker: once the page has been loaded, it works without the network,
// so a lecture does not depend on the room's Wi-Fi.
//
// Installing keeps the page and every asset it names (trunk gives each a content hash in its
// name, so a name never changes meaning). The page itself is fetched from the network first, so a
// new build is seen at once when online, and the kept copy answers when offline.
const CACHE = "lb-playground";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch("./", { cache: "reload" });
      const html = await page.clone().text();
      await cache.put("./", page);
      // The release build's HTML is minified: attribute values may have lost their quotes. The
      // loader script names the glue and the wasm as quoted paths (Trunk.toml, pattern_script).
      const linked = [...html.matchAll(/(?:href|src)=["']?(\/[^"'\s>]+)/g)].map((m) => m[1]);
      const loaded = [...html.matchAll(/["'](\/[^"'\s>]+\.(?:js|wasm))["']/g)].map((m) => m[1]);
      const assets = [...new Set([...linked, ...loaded])];
      await cache.addAll(assets);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/// Keeps a copy of `response` under `key` when it is a complete answer.
function keep(key, response) {
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(key, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // The page, whatever its query (the classroom kit): the network's, else the kept copy.
    event.respondWith(
      fetch(request)
        .then((response) => keep("./", response))
        .catch(() => caches.match("./")),
    );
    return;
  }
  if (new URL(request.url).pathname.endsWith("/whatif-worker.js")) {
    // The What-if worker's script has no content hash in its name: the network's first too.
    event.respondWith(
      fetch(request)
        .then((response) => keep(request, response))
        .catch(() => caches.match(request)),
    );
    return;
  }
  event.respondWith(
    caches
      .match(request)
      .then((kept) => kept || fetch(request).then((response) => keep(request, response))),
  );
});
