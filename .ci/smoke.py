#!/usr/bin/env python3
"""Release-build smoke test: drives headless Chromium through ChromeDriver's WebDriver API.

Loads the served bundle, lets the playground run, kills a server through its button, sweeps the
load in the What-if panel's worker, and fails if the flow canvas or a chart is blank, if simulated
time does not advance, if the killed server does not say it crashed, if the sweep gives no row per
load, if the browser console has an error, if the page has no Content-Security-Policy (or
one whose script hashes were not filled in), or if anything on the page broke the policy (every
`securitypolicyviolation` event from the first byte on is recorded). Saves a screenshot for people to look at.
Standard library only; the WebDriver calls are in .ci/webdriver.py (shared with benches/page.py).

usage: smoke.py URL DRIVER_URL SCREENSHOT_PATH
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webdriver  # noqa: E402 - .ci/webdriver.py, found through the line above

URL, DRIVER, SHOT = sys.argv[1], sys.argv[2], sys.argv[3]


def fail(message):
    print(f"smoke: FAIL: {message}")
    sys.exit(1)


browser = webdriver.Session(DRIVER, timeout=60)
js = browser.js

# How many pixels of a canvas differ from its most common colour: 0 means blank.
INK = """
const c = document.querySelector(arguments[0]);
if (!c || !c.width || !c.height) return -1;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const counts = new Map();
for (let i = 0; i < d.length; i += 4 * 7) {
  const k = (d[i] << 24) | (d[i+1] << 16) | (d[i+2] << 8) | d[i+3];
  counts.set(k, (counts.get(k) || 0) + 1);
}
let total = 0, top = 0;
for (const v of counts.values()) { total += v; top = Math.max(top, v); }
return total - top;
"""

# Recorded from before the page's first script runs, so a blocked loader is caught too.
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
"""


def check_csp():
    violations = js("return window.__csp || ['the violation recorder did not run']")
    if violations:
        counts = {v: violations.count(v) for v in violations}
        fail("Content-Security-Policy violations:\n  "
             + "\n  ".join(f"{v} ({n} times)" for v, n in counts.items()))


try:
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_WATCH})
    started = time.time()
    browser.open(URL)
    policy = js("const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]');"
                "return m && m.content")
    if not policy or "{{" in policy or "'sha256-" not in policy:
        fail(f"the page's Content-Security-Policy is missing or unfinished: {policy!r}")
    print(f"smoke: Content-Security-Policy: {policy}")
    while not js("return !!document.querySelector('canvas.flow')"):
        if time.time() - started > 30:
            fail("the page did not render its canvas within 30 s")
        time.sleep(0.2)
    print(f"smoke: first render after {time.time() - started:.2f} s")
    js("const s = document.getElementById('speed'); s.value = '5'; s.dispatchEvent(new Event('change'));")
    time.sleep(4)
    kill = "return [...document.querySelectorAll('article.server')][2].querySelector('button.kill').click()"
    js(kill)
    time.sleep(4)
    clock = js("return document.querySelector('.clock').textContent")
    seconds = float(clock.split("=")[1].split()[0])
    if seconds < 5:
        fail(f"simulated time did not advance: {clock!r}")
    state = js("return [...document.querySelectorAll('article.server')][2].querySelector('.state').textContent")
    if state != "crashed":
        fail(f"server-3 shows {state!r} after Kill")
    CHARTS = ["#chart-requests-per-server", "#chart-latency", "#chart-throughput", "#chart-queues"]

    def check_drawn(selectors):
        for selector in selectors:
            ink = js(INK, selector)
            if ink < 50:
                fail(f"{selector} is blank ({ink} sampled pixels differ from the background)")
            print(f"smoke: {selector} draws ({ink} sampled pixels of ink)")

    check_drawn(["canvas.flow"] + CHARTS)
    check_csp()
    # Offline: the service worker keeps the page and what it loads, the glue and the wasm included
    # (the loader names them in its script, not in links: static/sw.js reads both).
    kept = browser.call("POST", browser.base + "/execute/async", {"script": """
        const done = arguments[0];
        navigator.serviceWorker.ready
            .then(() => caches.open('lb-playground')).then((c) => c.keys())
            .then((keys) => done(keys.map((k) => new URL(k.url).pathname)), (e) => done([String(e)]));
    """, "args": []})
    if not any(k.endswith("_bg.wasm") for k in kept) or not any(k.endswith(".js") for k in kept):
        fail(f"the service worker did not keep the wasm and its glue for offline use: {kept}")
    print(f"smoke: kept for offline use: {', '.join(kept)}")
    errors = browser.console_errors()
    if errors:
        fail("console errors:\n  " + "\n  ".join(errors))
    browser.screenshot(SHOT)
    # The What-if panel sweeps in its Web Worker (the page's own module, static/whatif-worker.js):
    # every load gets a row and the chart draws.
    js("document.querySelector('button.whatif-run').click()")
    swept = time.time()
    while not js("return !!document.querySelector('.whatif-caption')"):
        error = js("const e = document.querySelector('.whatif-error'); return e && e.textContent")
        if error:
            fail(f"the What-if sweep failed: {error}")
        if time.time() - swept > 60:
            fail("the What-if sweep gave no result within 60 s")
        time.sleep(0.2)
    rows = js("return document.querySelectorAll('.whatif-table tbody tr').length")
    if rows != 18:
        fail(f"the What-if table has {rows} rows, not one per load (18)")
    check_drawn([".whatif canvas.chart"])
    print(f"smoke: the What-if sweep answered in {time.time() - swept:.1f} s with {rows} loads")
    # Compare mode in the dark theme: run B's canvas and the charts must draw too.
    for select, value in [("compare-algorithm", "nginx-least-conn"), ("theme", "dark")]:
        js(f"const s = document.getElementById('{select}'); s.value = '{value}'; "
           "s.dispatchEvent(new Event('change'));")
    time.sleep(3)
    check_drawn(["canvas.flow.compare"] + CHARTS)
    second = SHOT.replace(".png", "-compare-dark.png")
    browser.screenshot(second)
    js("const s = document.getElementById('theme'); s.value = 'light'; s.dispatchEvent(new Event('change'));")
    check_csp()
    errors = browser.console_errors()
    if errors:
        fail("console errors in compare mode:\n  " + "\n  ".join(errors))
    print(f"smoke: ok at {clock}; screenshots in {SHOT} and {second}")
finally:
    browser.close()
