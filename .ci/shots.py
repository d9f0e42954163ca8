#!/usr/bin/env python3
"""Screenshots of every preset at the moment its text points to, as a lecturer would show it:
projector theme, the present layout, a 1280 x 720 viewport. For people to look at (`make shots`);
it checks nothing but that each preset loads and reaches its moment without a console error.

Each preset is picked in the scenario menu with the page paused, fast-forwarded in 10 s jumps
(the page's own Fast-forward button, key f) to its moment, and photographed. The moments are
read off the presets' texts (src/sim/presets, src/sim/clients/presets.rs): the time after the
scripted change the text describes, when what it promises is on screen.

usage: shots.py URL DRIVER_URL OUT_DIR [PRESET_ID ...]
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webdriver  # noqa: E402 - .ci/webdriver.py, found through the line above

URL, DRIVER, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
ONLY = set(sys.argv[4:])

# (preset, simulated seconds): multiples of the 10 s jump.
MOMENTS = [
    ("equal-round-robin", 60), ("slow-server", 60), ("long-report", 120),
    ("crash-recovery", 20), ("gradual-degradation", 160), ("health-check-kinds", 80),
    ("shopping-cart-nat", 90), ("cascading-failure", 110), ("retry-storm", 60),
    ("flash-sale", 50), ("power-of-two-choices", 230), ("consistent-hash-leave", 40),
    ("layer4-vs-layer7", 120), ("http2-pinning", 90), ("tls-termination", 170),
    ("many-balancers-herding", 120), ("balancer-failover", 40), ("balancer-tier-sizing", 50),
    ("regions-failover", 100), ("hierarchical-balancing", 120), ("rate-limit-noisy-client", 90),
    ("autoscale-flash-crowd", 200), ("metastable-retries", 50), ("retry-amplification", 80),
    ("closed-vs-open-loop", 150),
]

PICK = """
const s = document.getElementById('preset');
if (!s) return 'no scenario menu';
if (![...s.options].some((o) => o.value === arguments[0])) return 'no preset ' + arguments[0];
s.value = arguments[0];
s.dispatchEvent(new Event('change'));
return null;
"""
# The play button says pressed while paused.
PAUSE = """
const b = document.querySelector('.playback button.primary');
if (b && b.getAttribute('aria-pressed') === 'false') b.click();
"""
CLICK = "[...document.querySelectorAll('button')].find((b) => b.title.startsWith(arguments[0])).click()"
CLOCK = "return (document.querySelector('.clock') || {}).textContent || ''"


def main():
    os.makedirs(OUT, exist_ok=True)
    failures = []
    with webdriver.Session(DRIVER, timeout=120) as browser:
        js = browser.js
        browser.cdp("Emulation.setDeviceMetricsOverride",
                    {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
        for preset, seconds in MOMENTS:
            if ONLY and preset not in ONLY:
                continue
            browser.open(URL + "?theme=projector&autoplay=0")
            time.sleep(1.5)
            error = js(PICK, preset)
            if error:
                failures.append(f"{preset}: {error}")
                continue
            time.sleep(0.3)
            js(PAUSE)
            js("const b = document.querySelector('button.present-button');"
               "if (b && b.getAttribute('aria-pressed') === 'false') b.click();")
            time.sleep(0.3)
            js(PAUSE)
            for _ in range(seconds // 10):
                js(CLICK, "Fast-forward")
                time.sleep(0.05)
            time.sleep(1.0)  # the DOM panels and charts catch up
            path = os.path.join(OUT, f"{preset}.png")
            browser.screenshot(path)
            errors = browser.console_errors()
            print(f"shots: {preset} at {js(CLOCK).strip()}: {path}")
            failures += [f"{preset}: {e}" for e in errors]
    if failures:
        print("shots: FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)


main()
