"""Who may call the FHIR API: registered systems with SMART v2 system scopes (SMART App Launch 2.0, scopes).

A scope `system/MedicationStatement.rs` grants the interactions named by its letters: c create, r read,
u update, d delete, s search. `system/*.rs` covers every resource type. SMART v1 `read`/`write` suffixes are
read as `rs` and `cud`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from medpass.domain.errors import InvalidRequest
from medpass.domain.feeds import Feed

_SCOPE = re.compile(r"^system/(?P<resource>\*|[A-Z][A-Za-z]+)\.(?P<permissions>[cruds]+|read|write|\*)$")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}


class Interaction(StrEnum):
    """The SMART v2 permission letters."""

    CREATE = "c"
    READ = "r"
    UPDATE = "u"
    DELETE = "d"
    SEARCH = "s"


@dataclass(frozen=True)
class Scope:
    """One granted scope: a resource type (or every type) and the interactions allowed on it."""

    resource: str
    permissions: frozenset[Interaction]

    def allows(self, resource: str, interaction: Interaction) -> bool:
        """True when this scope covers the interaction on that resource type."""
        return self.resource in ("*", resource) and interaction in self.permissions


def parse_scope(text: str) -> Scope:
    """Read one SMART system scope, or raise InvalidRequest naming the expected shape."""
    match = _SCOPE.match(text.strip())
    if not match:
        raise InvalidRequest(f"scope {text!r} is not a SMART system scope such as system/MedicationStatement.rs")
    letters = _V1.get(match["permissions"], match["permissions"])
    if list(letters) != sorted(set(letters), key="cruds".index):
        raise InvalidRequest(f"scope {text!r}: permissions must be written in the order c, r, u, d, s, each once")
    return Scope(match["resource"], frozenset(Interaction(letter) for letter in letters))


@dataclass(frozen=True)
class ApiClient:
    """A registered calling system: its organisation, the feed it may write, and its scopes."""

    client_id: int
    name: str
    ods_code: str
    feed: Feed | None
    scopes: tuple[Scope, ...]

    def allows(self, resource: str, interaction: Interaction) -> bool:
        """True when any granted scope covers the interaction."""
        return any(scope.allows(resource, interaction) for scope in self.scopes)

    def may_write(self, feed: Feed) -> bool:
        """A client writes only the feed it was registered for."""
        return self.feed is feed
