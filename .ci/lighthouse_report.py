#!/usr/bin/env python3
"""Prints what .ci/lighthouse measured: for each Lighthouse JSON report, the category scores, the
page's timings and every failing audit (with the elements it names, for accessibility).

usage: lighthouse_report.py REPORT.json...
"""
import json
import os
import sys

CATEGORIES = ["performance", "accessibility", "best-practices"]
TIMINGS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index"]

for path in sys.argv[1:]:
    with open(path) as f:
        report = json.load(f)
    profile = os.path.splitext(os.path.basename(path))[0]
    categories, audits = report["categories"], report["audits"]
    scores = "  ".join(f"{c} {round(100 * categories[c]['score'])}" for c in CATEGORIES)
    print(f"{profile}: {scores}")
    print("  " + "  ".join(f"{a.replace('-', ' ')} {audits[a]['displayValue']}" for a in TIMINGS
                           if audits.get(a, {}).get("displayValue")))
    for c in CATEGORIES:
        for ref in categories[c]["auditRefs"]:
            audit = audits[ref["id"]]
            if audit["scoreDisplayMode"] not in ("binary", "numeric", "metricSavings"):
                continue
            if audit["score"] is None or audit["score"] >= 0.9:
                continue
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            print(f"  FAIL {c}: {audit['id']}: {audit['title']}{value}")
            items = (audit.get("details") or {}).get("items") or []
            for item in items[:5]:
                node = item.get("node") or {}
                where = node.get("selector") or item.get("url") or item.get("source", {}).get("url")
                if where:
                    print(f"      {where}" + (f"  {node['snippet'][:100]}" if node.get("snippet") else ""))
            if len(items) > 5:
                print(f"      ... and {len(items) - 5} more")
