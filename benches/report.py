#!/usr/bin/env python3
"""Merges target/bench/{meta,native,instructions,wasm,wasm-o3,page}.json into
target/bench/bench.json and prints the figures as tables (Markdown, so they can be pasted).
Standard library only.

usage: report.py DIR
"""
import json
import os
import sys

DIR = sys.argv[1]


def load(name):
    path = os.path.join(DIR, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


meta, native, instructions, wasm, wasm_o3, page = (
    load(n) for n in ("meta.json", "native.json", "instructions.json", "wasm.json", "wasm-o3.json",
                      "page.json"))


def results(doc, kind):
    return [r for r in (doc or {}).get("results", []) if r["kind"] == kind]


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).rjust(w) if i else str(c).ljust(w)
                                           for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print()


def mega(x):
    return "-" if x is None else f"{x / 1e6:.2f} M"


def spread(r, key):
    """The median of a rate (key: requests_per_s, events_per_s) with its range over the runs."""
    if not r or r.get(key) is None:
        return "-"
    return f"{r[key] / 1e6:.2f} M ({r[key + '_min'] / 1e6:.2f}-{r[key + '_max'] / 1e6:.2f})"


# The rates of the throughput table: (JSON key, column label).
RATES = (("requests_per_s", "req/s"), ("events_per_s", "events/s"))


def num(x, digits=1):
    return "-" if x is None else f"{x:,.{digits}f}"


def kib(x):
    return "-" if x is None else f"{x / 1024:,.0f}"


def ratio(slow, fast):
    """How many times longer the wasm run takes: native rate / wasm rate, or wasm ns / native ns."""
    return "-" if not slow or not fast else f"{slow / fast:.2f}x"


report = {"meta": meta, "native": native, "instructions": instructions, "wasm": wasm,
          "wasm_o3": wasm_o3, "page": page, "not_measured": []}
plan = (meta or {}).get("plan")
if plan == "smoke":
    print("SMOKE RUN: tiny workloads (and a debug wasm build): these figures mean nothing.\n")
load = os.path.join(DIR, "load.txt")
if os.path.exists(load):
    print("load average (1, 5, 15 min) " + "; ".join(l.strip() for l in open(load)) + "\n")
if meta:
    print(f"commit {meta['commit']}{' (with uncommitted changes)' if meta['dirty'] else ''}, "
          f"{meta['date']}, {meta['rustc']}, {meta['chromium']}, {meta['cores']} cores ({meta['cpu']}), "
          f"load average at start {meta['load_average_at_start']}\n")

# 1 + 2. Core throughput, native and wasm.
nat = {r["id"]: r for r in results(native, "throughput")}
was = {r["id"]: r for r in results(wasm, "throughput")}
wo3 = {r["id"]: r for r in results(wasm_o3, "throughput")}
ins = {r["id"]: r for r in (instructions or {}).get("results", [])}
wasm_profile = (wasm or {}).get("profile", "?")
if nat or was:
    runs = next(iter((nat or was).values()))["runs"]
    print(f"## Core throughput (median of {runs} runs (min-max); simulated requests answered and engine "
          f"events processed per wall second)\n")
    rows, notes = [], []
    for wid in sorted(set(nat) | set(was)):
        n, w, w3 = nat.get(wid, {}), was.get(wid, {}), wo3.get(wid, {})
        any_ = n or w
        rows.append([
            f"({wid}) {any_['title']}",
            f"{any_['answered']:,}",
            f"{any_['events']:,}" if "events" in any_ else "-",
            f"{any_['retries']:,}",
            *(cell for key, _ in RATES
              for cell in (spread(n, key), spread(w, key), ratio(n.get(key), w.get(key)),
                           spread(w3, key), ratio(n.get(key), w3.get(key)))),
            num(ins.get(wid, {}).get("per_request"), 0),
            mega(n.get("requests_per_cpu_s")),
            "-" if n.get("cpu_wait_share") is None else f"{100 * n['cpu_wait_share']:.0f}%",
            num(n.get("allocations_per_request"), 4) if n else "-",
        ])
        notes += [f"({wid}) {x}" for x in any_.get("notes", [])]
        notes += [f"({wid}) timeline of the last run: {x}" for x in any_.get("timeline", [])]
    table(["workload", "requests/run", "events/run", "retries/run",
           *(h for _, label in RATES
             for h in (f"native {label}", f"wasm {label} ({wasm_profile})",
                       f"wasm time / native ({label})", f"wasm {label} (release)",
                       f"wasm (release) time / native ({label})")),
           "native instructions/request (callgrind)",
           "native req/CPU-s", "native CPU wait", "allocs/request (native)"], rows)
    print("Mean cost 1 ms, one worker per server, zero network delays; (a) and (b) without health checks,\n"
          "breakers or retries. wasm time / native = native rate / wasm rate (both wall clock).\n"
          "Native: cargo profile bench (= release, opt-level 3). wasm-release: opt-level z, as the page\n"
          "ships it (without the page's wasm-opt pass); release: the native settings compiled to wasm.\n"
          "req/CPU-s: per second the bench thread ran on a CPU; CPU wait: share of the wall time it\n"
          "waited for one (other processes), both from /proc/thread-self/schedstat (updated about\n"
          "once per scheduler tick: exact enough for runs of a second, not for smoke runs).\n"
          "Events: taken from the engine's queue and handled (Simulation::events_processed), stale\n"
          "ones included; zero-delay hops are handled at once, outside the queue, and not counted.\n"
          "events/run is the last run's count. Instructions: valgrind --tool=callgrind, one run of\n"
          "each workload natively, the whole process over the requests answered (set-up is under 1%).")
    for note in notes:
        print(f"Note {note}")
    print()

# 3. Pick cost.
npick = {(r["algorithm"], r["servers"]): r for r in results(native, "pick")}
wpick = {(r["algorithm"], r["servers"]): r for r in results(wasm, "pick")}
if npick or wpick:
    algorithms = list(dict.fromkeys(a for a, _ in list(npick) + list(wpick)))
    runs = next(iter((npick or wpick).values()))["runs"]
    print(f"## Pick cost (ns per pick, median of {runs} runs; equal weights, ~2 requests active per server; "
          f"wasm: {wasm_profile})\n")
    rows = []
    for a in algorithms:
        cell = lambda d, s: d.get((a, s), {}).get("ns_per_pick")
        rows.append([a, num(cell(npick, 10)), num(cell(npick, 1000)), num(cell(wpick, 10)),
                     num(cell(wpick, 1000)), ratio(cell(wpick, 10), cell(npick, 10)),
                     ratio(cell(wpick, 1000), cell(npick, 1000))])
    table(["algorithm", "native 10", "native 1,000", "wasm 10", "wasm 1,000",
           "wasm/native 10", "wasm/native 1,000"], rows)
    print("Each pick is timed inside a loop that also does what the engine does around it: a request\n"
          "key per pick, the clock moving on, the pool's active counts updated and each routed request\n"
          "answered (observe) 2 x servers picks later. harness-baseline is that loop with a trivial pick.\n")

# 5. Memory.
nmem = (results(native, "memory") or [None])[0]
wmem = (results(wasm, "memory") or [None])[0]
if nmem or wmem:
    m = nmem or wmem
    print(f"## Memory: {m['sim_seconds']} s simulated at {m['rate']:,.0f} req/s ({m['servers']} servers, "
          f"{m['algorithm']}, {m['network_delay_ms']:.0f} ms network delays)\n")
    points = {}
    for label, doc in (("native", nmem), ("wasm", wmem)):
        for p in (doc or {}).get("points", []):
            points.setdefault(p["sim_s"], {})[label] = p
    rows = []
    for t in sorted(points):
        n, w = points[t].get("native", {}), points[t].get("wasm", {})
        rows.append([f"{t} s", kib(n.get("heap_bytes")), kib(w.get("heap_bytes")),
                     kib(w.get("platform_bytes")), f"{(n or w)['live_requests']:,}"])
    table(["simulated", "native heap KiB", "wasm heap KiB", "wasm linear memory KiB", "live requests"], rows)
    print("Heap: bytes live in a counting global allocator, minus those live before the run.\n"
          "Linear memory: core::arch::wasm32::memory_size(0) x 64 KiB, a high-water mark of the\n"
          "whole test module (it never shrinks).\n")

# 6. Time travel.
rows = []
for label, doc in (("native", native), ("wasm", wasm)):
    for t in results(doc, "time_travel"):
        rows.append([t["id"], label, f"{t['sim_seconds']:.0f} s", f"{t['events']:,}", t["checkpoints"],
                     num(t["jump_ms_median"], 1), num(t["jump_ms_max"], 1), kib(t["heap_bytes"])])
if rows:
    print("## Time travel: jumps back over the run (the first from its end to time zero)\n")
    table(["scenario", "platform", "run", "events", "checkpoints", "jump ms median", "jump ms worst",
           "heap KiB"], rows)
    print("A jump copies the last checkpoint before its time (one every 200,000 events at first) and\n"
          "replays to it. Heap: the run and its checkpoints, in the counting allocator.\n")

# 4. Page.
if page:
    print("## Page (release bundle in dist/, headless Chromium)\n")
    b = page["bundle"]
    rows = [[f["file"], f"{f['raw_bytes']:,}", f"{f['gzip_bytes']:,}"] for f in b["files"]]
    rows.append(["total", f"{b['total_raw_bytes']:,}", f"{b['total_gzip_bytes']:,}"])
    table(["file", "raw bytes", "gzip -9 bytes"], rows)
    rows = []
    for c in page["configs"]:
        fi, fw = c["frame_interval"], c["frame_work"]
        rows.append([
            c["id"], c["servers"], c["totals_at_end"].get("in flight", "-"),
            num(c["time_to_first_frame_ms"], 0), num(c["first_contentful_paint_ms"], 0),
            f"{num(fi['p50_ms'])} / {num(fi['p95_ms'])} / {num(fi['p99_ms'])}",
            f"{num(fw['p50_ms'], 2)} / {num(fw['p95_ms'], 2)} / {num(fw['p99_ms'], 2)}",
            f"{fi['count']} ({c['late_frames']} late)", c["long_tasks"],
            f"{kib(c['wasm_memory_bytes_at_first_frame'])} -> {kib(c['wasm_memory_bytes_at_end'])}",
        ])
    table(["page", "servers", "in flight", "first frame ms", "FCP ms",
           "frame interval p50/p95/p99 ms", "frame work p50/p95/p99 ms", "frames", "long tasks",
           "wasm memory KiB"], rows)
    for c in page["configs"]:
        print(f"{c['id']}: {c['description']}; {c['seconds']:.0f} s sampled")
        lf = c.get("long_animation_frames")
        if lf and lf["count"]:
            top = ", ".join(f"{t['invoker']} {t['ms']:,.0f} ms" for t in lf["top_scripts_ms"][:3])
            print(f"  {lf['count']} long animation frames, {lf['total_ms']:,.0f} ms: scripts {lf['script_ms']:,.0f} ms "
                  f"(top: {top}), style and layout {lf['style_layout_ms']:,.0f} ms "
                  f"(+{lf['forced_style_layout_ms']:,.0f} ms forced inside scripts), render {lf['render_ms']:,.0f} ms")
        if c["console_errors"]:
            print(f"{c['id']}: console errors: {c['console_errors']}")
    print("First frame: ms from navigation start until the app's first requestAnimationFrame callback\n"
          "finished (loopback server, cold cache). Frame interval: time between frames (16.7 ms at 60 Hz).\n"
          "Frame work: time inside the app's animation-frame callback (simulation step + flow canvas;\n"
          "not the microtasks it queues, such as Yew re-renders). Long animation frames: the browser's\n"
          "own attribution of frames over 50 ms (scripts include those microtasks).\n"
          "Late: intervals over 25 ms. Long tasks: tasks over 50 ms. Wasm memory: the page's linear\n"
          "memory at the first frame and at the end of sampling.\n")
    report["not_measured"] += page.get("not_measurable", [])

missing = [name for name, doc in (("native", native), ("wasm", wasm), ("page", page)) if doc is None]
if plan == "full" and wasm_o3 is None:
    missing.append("wasm (release profile)")
report["not_measured"] += [f"the {name} part did not run" for name in missing]
if report["not_measured"]:
    print("## Not measured")
    for x in report["not_measured"]:
        print(f"- {x}")
    print()

path = os.path.join(DIR, "bench.json")
with open(path, "w") as f:
    json.dump(report, f, indent=1)
    f.write("\n")
print(f"wrote {path}")
