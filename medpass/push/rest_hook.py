"""Send one rest-hook notification over HTTP(S) with the standard library; any failure raises PushFailed."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field


class PushFailed(Exception):
    """The subscriber's endpoint did not accept the notification (no answer, or not a 2xx)."""


@dataclass(frozen=True)
class Push:
    """One HTTP request to a subscriber: R4 rest-hook PUTs the resource to [endpoint]/Task/[id], or POSTs an empty ping."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    body: bytes | None = None


def send(push: Push, timeout: float) -> int:
    """Make the request; the HTTP status when it is 2xx, else PushFailed saying what went wrong."""
    request = urllib.request.Request(push.url, data=push.body, method=push.method, headers=dict(push.headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise PushFailed(f"the endpoint answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PushFailed(f"the endpoint could not be reached ({reason})") from None
