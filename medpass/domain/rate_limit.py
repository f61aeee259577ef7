"""How many requests a client may make: a fixed one-minute window per client (429 with Retry-After beyond it).

Counted in each server process: with N gunicorn workers a client may make up to N times the limit; the
limit protects the service from a runaway client, it is not a billing meter.
"""

from __future__ import annotations

import threading
from datetime import datetime


class RateLimiter:
    """`per_minute` requests per client per minute (0: no limit)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._windows: dict[int, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def take(self, client_id: int, now: datetime) -> int | None:
        """Count one request; None when allowed, else the seconds until the client may try again."""
        if self.per_minute <= 0:
            return None
        minute = int(now.timestamp()) // 60
        with self._lock:
            start, used = self._windows.get(client_id, (minute, 0))
            if start != minute:
                start, used = minute, 0
            if used >= self.per_minute:
                return max(1, (minute + 1) * 60 - int(now.timestamp()))
            self._windows[client_id] = (start, used + 1)
        return None
