"""A webhook receiver run as its own process by the tests: it listens on a free loopback port
(printed on its first line), answers by path and writes every request it gets, one JSON line
each, to the file named by its first argument.

/ok answers 200; /gone 410; /fail 500; /flaky 503 to its first request, then 200.
"""

from __future__ import annotations

import http.server
import json
import sys
import threading

RECORD = sys.argv[1]
lock = threading.Lock()
seen: dict[str, int] = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            seen[self.path] = seen.get(self.path, 0) + 1
            count = seen[self.path]
            with open(RECORD, "a", encoding="utf-8") as out:
                out.write(
                    json.dumps(
                        {"path": self.path, "headers": dict(self.headers), "body": body.decode()}
                    )
                    + "\n"
                )
        status = {"/ok": 200, "/gone": 410, "/fail": 500}.get(self.path, 200)
        if self.path == "/flaky":
            status = 503 if count == 1 else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
