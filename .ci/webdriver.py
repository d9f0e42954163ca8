"""The few WebDriver calls .ci/smoke.py and benches/page.py make to headless Chromium through
ChromeDriver (https://www.w3.org/TR/webdriver2/). Standard library only.

Both scripts import it by putting this directory on sys.path:

    with Session(DRIVER_URL) as browser:   # a headless Chromium, closed on leaving the block
        browser.open(URL)
        browser.js("return document.title")
"""
import base64
import json
import urllib.request

# Headless Chromium as both scripts run it: a 1280 x 1500 window, no sandbox (CI runs as root),
# no GPU, no shared-memory file system, nothing fetched in the background.
CHROME_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--no-first-run", "--window-size=1280,1500",
    "--hide-scrollbars",
]


def call(driver, method, path, body=None, timeout=60):
    """One WebDriver request to the ChromeDriver at `driver` (a URL); its JSON "value"."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(driver + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)["value"]


class Session:
    """A browser session that keeps the console log; `timeout` is per request, in seconds."""

    def __init__(self, driver, timeout=60):
        self.driver, self.timeout = driver, timeout
        self.id = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"args": CHROME_ARGS},
        }}})["sessionId"]
        self.base = f"/session/{self.id}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, method, path, body=None):
        """A request to the driver (`path` from its root: `self.base + ...` for this session)."""
        return call(self.driver, method, path, body, self.timeout)

    def open(self, url):
        self.call("POST", self.base + "/url", {"url": url})

    def js(self, script, *args):
        """Runs `script` (a function body: `arguments`, `return`) in the page; its result."""
        return self.call("POST", self.base + "/execute/sync", {"script": script, "args": list(args)})

    def cdp(self, cmd, params):
        """A Chrome DevTools Protocol command, through ChromeDriver's endpoint for it."""
        return self.call("POST", self.base + "/goog/cdp/execute", {"cmd": cmd, "params": params})

    def console_errors(self):
        """The messages logged at level SEVERE since the last call."""
        logs = self.call("POST", self.base + "/se/log", {"type": "browser"})
        return [entry["message"] for entry in logs if entry["level"] == "SEVERE"]

    def screenshot(self, path):
        """Saves the viewport as a PNG file."""
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("GET", self.base + "/screenshot")))

    def close(self):
        self.call("DELETE", self.base)
