"""One error hierarchy for medpass; the web and command line map it once each."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """FHIR OperationOutcome.issue.severity."""

    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"


@dataclass(frozen=True)
class Issue:
    """One problem found in a message: FHIR issue-type `code`, a sentence, and a FHIRPath location."""

    severity: Severity
    code: str
    diagnostics: str
    location: str | None = None

    def describe(self) -> str:
        """A one-line human reading of the issue."""
        where = f" at {self.location}" if self.location else ""
        return f"{self.severity}{where}: {self.diagnostics}"


def error(code: str, diagnostics: str, location: str | None = None) -> Issue:
    """Shorthand for an error-severity issue."""
    return Issue(Severity.ERROR, code, diagnostics, location)


def warning(code: str, diagnostics: str, location: str | None = None) -> Issue:
    """Shorthand for a warning-severity issue: the message is accepted but the sender should know."""
    return Issue(Severity.WARNING, code, diagnostics, location)


class MedpassError(Exception):
    """Base of every error medpass raises on purpose."""


class MessageRejected(MedpassError):
    """A feed message was refused as a whole; nothing of it was stored."""

    kind = "invalid"

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(issue.describe() for issue in issues))


class PayloadTooLarge(MessageRejected):
    """The message is over the configured size limit."""

    kind = "too-large"


class UnsupportedVersion(MessageRejected):
    """The message is in a FHIR version or shape medpass does not accept on that feed."""

    kind = "not-supported"


class StorageUnavailable(MedpassError):
    """The database cannot be used: not reachable, or not prepared with init-db. Nothing was stored."""


class InvalidRequest(MedpassError):
    """A request that cannot be carried out as asked (a resolution without a reason, say); nothing changed."""


class NotAuthenticated(MedpassError):
    """No bearer token, or one medpass does not know."""


class NotPermitted(MedpassError):
    """The caller is known but its scopes do not allow this."""


class NotFound(MedpassError):
    """Something asked for does not exist."""


class Conflict(MedpassError):
    """The request contradicts the current state (a closed Task moved on again, say); nothing changed."""


class Gone(MedpassError):
    """Something that existed has been deleted (a Subscription); asking again will not bring it back."""


class TooManyRequests(MedpassError):
    """A client sent more requests than its rate allows; it may try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class StaleVersion(MedpassError):
    """If-Match named a version that is no longer the current one; nothing changed (HTTP 412)."""
