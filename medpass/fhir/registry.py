"""What the FHIR API serves, in one place: routing and the CapabilityStatement are both made from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from medpass.fhir.codes import CANONICAL_BASE


@dataclass(frozen=True)
class SearchParameter:
    """A search parameter as the CapabilityStatement lists it."""

    name: str
    type: str
    documentation: str


@dataclass(frozen=True)
class ResourceCapability:
    """One resource type: its interactions, search parameters and operations."""

    type: str
    interactions: tuple[str, ...]
    search: tuple[SearchParameter, ...] = ()
    operations: tuple[str, ...] = field(default=())


REGISTRY: tuple[ResourceCapability, ...] = (
    ResourceCapability("Bundle", ("create",)),
    ResourceCapability("AuditEvent", ("search-type",), (SearchParameter("_count", "number", "how many, newest first"),)),
    ResourceCapability(
        "Patient",
        ("read", "search-type"),
        (SearchParameter("identifier", "token", "NHS number: https://fhir.nhs.uk/Id/nhs-number|9990000018"),),
        ("passport",),
    ),
    ResourceCapability(
        "MedicationStatement",
        ("read", "search-type"),
        (
            SearchParameter("patient", "reference", "Patient/{id}: every feed's current statements"),
            SearchParameter("status", "token", "active, stopped, ... (comma = OR)"),
            SearchParameter("code", "token", "system|code; dm+d and SNOMED CT systems are one"),
            SearchParameter("effective", "date", "start date, with eq/ge/le/gt/lt prefixes"),
            SearchParameter("feed", "token", "gp, mental-health or acute: the feed it came from"),
            SearchParameter("_count", "number", "page size, 1 to 500 (default 50)"),
            SearchParameter("_sort", "string", "effective or -effective"),
        ),
    ),
    ResourceCapability(
        "List",
        ("search-type",),
        (SearchParameter("patient", "reference", "Patient/{id}: the reconciled medication list"),),
    ),
    ResourceCapability(
        "DetectedIssue",
        ("read", "update", "patch", "search-type"),
        (SearchParameter("patient", "reference", "Patient/{id}: the patient's discrepancies"),),
    ),
    ResourceCapability(
        "Task",
        ("read", "vread", "history-instance", "update", "patch", "search-type"),
        (
            SearchParameter("owner", "reference", "Organization/<ODS code>: the partner asked to act"),
            SearchParameter("status", "token", "requested, accepted, in-progress, completed, rejected (comma = OR)"),
            SearchParameter("patient", "reference", "Patient/{id}"),
            SearchParameter("code", "token", "started, stopped, changed or high-severity-discrepancy"),
            SearchParameter("overdue", "token", "true: requested Tasks past their due time (restriction.period.end)"),
            SearchParameter("_count", "number", "page size, 1 to 500 (default 50)"),
        ),
    ),
    ResourceCapability(
        "Subscription",
        ("create", "read", "delete", "search-type"),
        (),
    ),
)


def capability_statement(software_version: str, at: datetime) -> dict[str, Any]:
    """The server's CapabilityStatement (R4 4.0.1), generated from REGISTRY so it cannot drift from the routes."""
    resources = []
    for capability in REGISTRY:
        resource: dict[str, Any] = {
            "type": capability.type,
            "interaction": [{"code": code} for code in capability.interactions],
        }
        if capability.search:
            resource["searchParam"] = [{"name": p.name, "type": p.type, "documentation": p.documentation} for p in capability.search]
        if capability.operations:
            resource["operation"] = [
                {"name": name, "definition": f"{CANONICAL_BASE}/OperationDefinition/{capability.type}-{name}"}
                for name in capability.operations
            ]
        resources.append(resource)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": at.date().isoformat(),
        "kind": "instance",
        "software": {"name": "medpass", "version": software_version},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": {"service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                                  "code": "SMART-on-FHIR"}]}],
                         "description": "Bearer tokens of registered clients with SMART v2 system scopes"},
            "resource": resources,
            "interaction": [{"code": "batch"}, {"code": "transaction"}],
        }],
    }
