#!/usr/bin/env python3
"""Page benchmark: bundle sizes of the release build, time to first frame and frame times of the
playground in headless Chromium, driven through ChromeDriver's WebDriver API (standard library
only; the WebDriver calls are in .ci/webdriver.py, shared with .ci/smoke.py). Prints figures and
writes them as JSON; never fails on a time.

Before the page loads, an injected script (Page.addScriptToEvaluateOnNewDocument through
ChromeDriver's CDP endpoint) records:
  - frame intervals: the deltas between the timestamps of its own requestAnimationFrame loop,
    i.e. how often the browser produced a frame (16.7 ms at 60 Hz when the page keeps up);
  - frame work: how long each of the app's requestAnimationFrame callbacks ran (the simulation
    step plus the flow-canvas drawing), by wrapping window.requestAnimationFrame;
  - time to first frame: when the app's first animation-frame callback finished, in ms since
    navigation start; beside it first-contentful-paint and when trunk reported the app started.

The default page is measured as it opens; the larger scenarios (4, 50 and 1,000 servers, and 3
regions x 2 balancers x 10 servers, with about 2,000 requests in flight) are opened through share
links (`#s=...`) listed in SCENARIOS_JSON, which the native benchmark writes
(benches/workloads/mod.rs, page_scenarios_json).

usage: page.py DIST_DIR URL DRIVER_URL OUT_JSON SECONDS [SCENARIOS_JSON]
"""
import gzip
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".ci"))
import webdriver  # noqa: E402 - .ci/webdriver.py, found through the line above

DIST, URL, DRIVER, OUT, SECONDS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
SCENARIOS = sys.argv[6] if len(sys.argv) > 6 else None

INSTRUMENT = r"""
(() => {
  const b = window.__bench = { ticks: [], work: [], longTasks: [], loafs: [], firstFrameEnd: null,
                               appStarted: null, memory: null };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = function (cb) {
    return raf(function (ts) {
      const t0 = performance.now();
      try { cb(ts); } finally {
        const t1 = performance.now();
        b.work.push(t1 - t0);
        if (b.firstFrameEnd === null) b.firstFrameEnd = t1;
      }
    });
  };
  const tick = (ts) => { b.ticks.push(ts); raf(tick); };
  raf(tick);
  addEventListener('TrunkApplicationStarted', (e) => {
    b.appStarted = performance.now();
    try { b.memory = e.detail.wasm.memory; } catch (_) {}
  });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch (_) {}
  try { // Long Animation Frames (over 50 ms): where the time went, as the browser attributes it.
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const end = e.startTime + e.duration;
        b.loafs.push({
          duration: e.duration,
          render: e.renderStart ? end - e.renderStart : 0,
          styleLayout: e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0,
          scripts: [...e.scripts].map((x) => ({
            invoker: x.invokerType + ' ' + x.invoker, duration: x.duration,
            forcedStyleLayout: x.forcedStyleAndLayoutDuration })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch (_) {}
})();
"""

COLLECT = r"""
const b = window.__bench;
const fcp = performance.getEntriesByName('first-contentful-paint')[0];
const nav = performance.getEntriesByType('navigation')[0];
const totals = {};
for (const t of document.querySelectorAll('.totals .total')) {
  totals[t.querySelector('.total-label').textContent] = t.querySelector('.total-value').textContent;
}
return {
  ticks: b.ticks, work: b.work, longTasks: b.longTasks, loafs: b.loafs,
  firstFrameEnd: b.firstFrameEnd, appStarted: b.appStarted,
  fcp: fcp ? fcp.startTime : null,
  domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
  load: nav ? nav.loadEventEnd : null,
  wasmMemory: b.memory ? b.memory.buffer.byteLength : null,
  servers: document.querySelectorAll('article.server').length,
  clock: (document.querySelector('.clock') || {}).textContent || null,
  rateLabel: (document.querySelector('label[for=rate]') || {}).textContent || null,
  totals,
};
"""

RESET = "const b = window.__bench; b.ticks.length = 0; b.work.length = 0; b.longTasks.length = 0; b.loafs.length = 0;"

# The default page, then the share-link scenarios: (id, description, URL fragment, settle seconds).
CONFIGS = [("default", "4 servers, the default page (10 req/s, 500 ms mean cost, speed 1x)", "", 1)]
if SCENARIOS and os.path.exists(SCENARIOS):
    with open(SCENARIOS) as f:
        for s in json.load(f):
            # The pipeline takes 4 simulated seconds (4 one-second legs) to fill at speed 1x.
            CONFIGS.append((s["id"], s["description"], "#" + s["fragment"], 5))
if os.environ.get("BENCH_SMOKE", "0") not in ("", "0"):
    CONFIGS = CONFIGS[:2]  # the smoke run only proves both kinds of page still work
NOT_MEASURABLE = [] if len(CONFIGS) > 1 else [
    "the share-link scenarios (4, 50 and 1,000 servers, and 3 regions x 2 balancers x 10 servers,"
    f" with 2,000 in flight): {SCENARIOS} missing"]


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a list; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n q / 100)
    return ordered[int(rank) - 1]


def summary(values):
    return {
        "count": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "p99_ms": percentile(values, 99),
        "max_ms": max(values) if values else None,
    }


def long_frames(loafs):
    """Where the long animation frames (over 50 ms) spent their time, summed over the sample."""
    scripts = {}
    for f in loafs:
        for x in f["scripts"]:
            scripts[x["invoker"]] = scripts.get(x["invoker"], 0) + x["duration"]
    top = sorted(scripts.items(), key=lambda kv: -kv[1])[:5]
    return {
        "count": len(loafs),
        "total_ms": sum(f["duration"] for f in loafs),
        "script_ms": sum(scripts.values()),
        "forced_style_layout_ms": sum(x["forcedStyleLayout"] or 0 for f in loafs for x in f["scripts"]),
        "render_ms": sum(f["render"] for f in loafs),
        "style_layout_ms": sum(f["styleLayout"] for f in loafs),
        "top_scripts_ms": [{"invoker": k, "ms": v} for k, v in top],
    }


def bundle():
    files = []
    for name in sorted(os.listdir(DIST)):
        kind = name.rsplit(".", 1)[-1]
        if kind not in ("wasm", "js", "css"):
            continue
        with open(os.path.join(DIST, name), "rb") as f:
            data = f.read()
        files.append({"file": name, "kind": kind, "raw_bytes": len(data),
                      "gzip_bytes": len(gzip.compress(data, compresslevel=9, mtime=0))})
    return {
        "files": files,
        "total_raw_bytes": sum(f["raw_bytes"] for f in files),
        "total_gzip_bytes": sum(f["gzip_bytes"] for f in files),
    }


def measure(config_id, description, fragment, settle):
    with webdriver.Session(DRIVER, timeout=120) as browser:
        js = browser.js
        browser.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": INSTRUMENT})
        browser.open(URL + fragment)
        started = time.time()
        while not js("return !!(window.__bench && window.__bench.firstFrameEnd)"):
            if time.time() - started > 30:
                raise RuntimeError("the page drew no animation frame within 30 s")
            time.sleep(0.1)
        first = js(COLLECT)
        time.sleep(min(SECONDS, settle))  # let the page settle and the pipeline fill
        js(RESET)
        time.sleep(SECONDS)
        end = js(COLLECT)
        errors = browser.console_errors()
    ticks = end["ticks"]
    intervals = [b - a for a, b in zip(ticks, ticks[1:])]
    budget = 1000 / 60
    return {
        "id": config_id,
        "description": description,
        "servers": end["servers"],
        "seconds": SECONDS,
        "settle_seconds": min(SECONDS, settle),
        "rate_label": end["rateLabel"],
        "clock_at_end": end["clock"],
        "totals_at_end": end["totals"],
        "time_to_first_frame_ms": first["firstFrameEnd"],
        "app_started_ms": first["appStarted"],
        "first_contentful_paint_ms": first["fcp"],
        "dom_content_loaded_ms": first["domContentLoaded"],
        "load_event_ms": first["load"],
        "frame_interval": summary(intervals),
        "frames_per_second": (len(intervals) / ((ticks[-1] - ticks[0]) / 1000)) if len(ticks) > 1 else None,
        "late_frames": sum(1 for i in intervals if i > 1.5 * budget),
        "frame_work": summary(end["work"]),
        "long_tasks": len(end["longTasks"]),
        "long_animation_frames": long_frames(end["loafs"]),
        "wasm_memory_bytes_at_first_frame": first["wasmMemory"],
        "wasm_memory_bytes_at_end": end["wasmMemory"],
        "console_errors": errors,
    }


def fmt(v, unit=""):
    return "-" if v is None else f"{v:.1f}{unit}"


def main():
    result = {"platform": "chromium-headless", "bundle": bundle(), "configs": [],
              "not_measurable": NOT_MEASURABLE, "load_average": os.getloadavg()}
    try:
        version = webdriver.call(DRIVER, "GET", "/status", timeout=120)
        result["chromedriver_ready"] = version.get("ready")
    except Exception:  # noqa: BLE001 - informational only
        pass
    for f in result["bundle"]["files"]:
        print(f"page: bundle {f['file']:<44} {f['raw_bytes']:>9} B raw {f['gzip_bytes']:>8} B gzip")
    for config_id, description, fragment, settle in CONFIGS:
        r = measure(config_id, description, fragment, settle)
        result["configs"].append(r)
        fi, fw = r["frame_interval"], r["frame_work"]
        print(f"page: {config_id}: first frame {fmt(r['time_to_first_frame_ms'], ' ms')}; "
              f"frame interval p50/p95/p99 {fmt(fi['p50_ms'])}/{fmt(fi['p95_ms'])}/{fmt(fi['p99_ms'])} ms; "
              f"frame work p50/p95/p99 {fmt(fw['p50_ms'])}/{fmt(fw['p95_ms'])}/{fmt(fw['p99_ms'])} ms; "
              f"{fi['count']} frames in {SECONDS:.0f} s; in flight at end {r['totals_at_end'].get('in flight')}")
        if r["console_errors"]:
            print("page: console errors:\n  " + "\n  ".join(r["console_errors"]))
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"page: wrote {OUT}")


main()
