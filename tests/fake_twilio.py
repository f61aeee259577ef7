"""A local server that answers like Twilio's Messages API, for the real twilio client to talk to in tests.

It records every request (method, path, form fields, Basic auth user) and answers each with the next
scripted reply: a created message (201 with a SID), a Twilio-shaped error (status, code, message), or
silence (the client's timeout).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qs


@dataclass
class FakeTwilio:
    """What the fake was sent, and what it will answer next (default: success)."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, int | None] | str] = field(default_factory=list)
    sids: Iterator[int] = field(default_factory=lambda: count(1))

    def next_reply(self) -> tuple[int, int | None] | str:
        """The next scripted reply: (HTTP status, Twilio code), "silence", or success when the script is empty."""
        return self.script.pop(0) if self.script else (201, None)


@contextmanager
def fake_twilio() -> Iterator[tuple[str, FakeTwilio]]:
    """Serve on a free loopback port; yields the base URL (for TWILIO_API_BASE_URL) and the recorder."""
    fake = FakeTwilio()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length)
            form = {k: v[0] for k, v in parse_qs(raw_body.decode()).items()}
            user = base64.b64decode(self.headers.get("Authorization", "Basic ").split(" ", 1)[1] or b"").decode().split(":")[0]
            with lock:
                fake.requests.append({"method": "POST", "path": self.path, "form": form, "user": user, "raw": raw_body,
                                      "headers": dict(self.headers)})
                reply = fake.next_reply()
            if reply == "silence":
                time.sleep(3)
                return
            status, code = reply  # type: ignore[misc]
            if status == 201:
                body: dict[str, Any] = {"sid": f"SM{next(fake.sids):032x}", "status": "queued", "to": form.get("To"),
                                        "body": form.get("Body"), "account_sid": user}
            else:
                body = {"code": code, "message": f"fake Twilio error {code}", "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status}
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", fake
    finally:
        server.shutdown()
        server.server_close()
