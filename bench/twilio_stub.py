"""A Twilio-shaped Messages endpoint for the SMS benchmark, in its own process: answers 201 with a SID and counts bodies.

    .venv/bin/python bench/twilio_stub.py PORT REPORT_FILE

On SIGTERM it writes {"requests": n, "unique_bodies": m} to REPORT_FILE.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qs

BODIES: set[str] = set()
REQUESTS = count()
SEEN = [0]
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    """POST .../Messages.json: 201 with a fresh SID."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """No Nagle delay: headers and body go out as written (otherwise each keep-alive answer waits ~40 ms)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        with LOCK:
            SEEN[0] += 1
            BODIES.add(form.get("Body", [""])[0])
            number = next(REQUESTS)
        raw = json.dumps({"sid": f"SM{number:032x}", "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        """Quiet."""


def main() -> None:
    """Serve until SIGTERM, then write the counts."""
    port, report = int(sys.argv[1]), sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True

    def stop(*_: object) -> None:
        with open(report, "w") as out:
            json.dump({"requests": SEEN[0], "unique_bodies": len(BODIES)}, out)
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
