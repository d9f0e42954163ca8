#!/usr/bin/env python3
"""Serves a directory on loopback the way a static host does: gzip for text and wasm when the
browser asks for it (Accept-Encoding), as GitHub Pages, nginx's `gzip_static` or a CDN would.
`python3 -m http.server` sends every file uncompressed, so a page measured behind it downloads
far more bytes than a visitor's browser would. Standard library only; used by .ci/lighthouse.

usage: serve.py DIRECTORY PORT
"""
import functools
import gzip
import http.server
import io
import os
import sys

COMPRESSED = {".html", ".js", ".css", ".wasm", ".svg", ".json", ".txt"}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript"}
    cache = {}

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not wants or os.path.splitext(path)[1] not in COMPRESSED or not os.path.isfile(path):
            return super().send_head()
        key = (path, os.stat(path).st_mtime_ns)
        if key not in self.cache:
            with open(path, "rb") as f:
                self.cache[key] = gzip.compress(f.read(), 9)
        body = self.cache[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


if __name__ == "__main__":
    directory, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    # Said once the port is ours: .ci/loopback.sh waits for this line.
    print(f"Serving HTTP on 127.0.0.1 port {port}", flush=True)
    server.serve_forever()
