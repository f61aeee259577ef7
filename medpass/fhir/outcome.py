"""FHIR OperationOutcome for medpass issues: how every rejection is told to a FHIR sender."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from medpass.domain.errors import Issue


def operation_outcome(issues: Iterable[Issue]) -> dict[str, Any]:
    """An R4 OperationOutcome with one issue per problem, located by FHIRPath (`expression`)."""
    rendered = []
    for issue in issues:
        item: dict[str, Any] = {
            "severity": issue.severity.value,
            "code": issue.code,
            "diagnostics": issue.diagnostics,
        }
        if issue.location:
            item["expression"] = [issue.location]
        rendered.append(item)
    if not rendered:
        rendered.append({"severity": "information", "code": "informational", "diagnostics": "All OK"})
    return {"resourceType": "OperationOutcome", "issue": rendered}
