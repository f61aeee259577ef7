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
    includes: tuple[str, ...] = ()
    conditional_create: bool = False


_COUNT = SearchParameter("_count", "number", "page size, 1 to 500 (default 50); next links page on")
_PATIENT = SearchParameter("patient", "reference", "Patient/{id}")

REGISTRY: tuple[ResourceCapability, ...] = (
    ResourceCapability("Bundle", ("create", "read")),
    ResourceCapability(
        "AuditEvent",
        ("search-type",),
        (
            SearchParameter("_count", "number", "how many, newest first (1 to 1000, default 100)"),
            SearchParameter("date", "date", "ge or lt a date or instant"),
            SearchParameter("action", "token", "C, R, U, D or E"),
            SearchParameter("agent-name", "string", "the start of the calling client's name"),
            SearchParameter("outcome", "token", "0 success, 4 a 4xx answer, 8 a 5xx answer"),
        ),
    ),
    ResourceCapability(
        "Patient",
        ("read", "create", "search-type"),
        (
            SearchParameter("identifier", "token", "NHS number: https://fhir.nhs.uk/Id/nhs-number|9990000018"),
            SearchParameter("name", "string", "the start of a family or given name, any case"),
            SearchParameter("birthdate", "date", "a date, with eq/ge/le/gt/lt prefixes"),
            _COUNT,
        ),
        ("passport",),
        conditional_create=True,
    ),
    ResourceCapability(
        "MedicationStatement",
        ("read", "vread", "history-instance", "search-type"),
        (
            SearchParameter("patient", "reference", "Patient/{id}: every feed's current statements"),
            SearchParameter("status", "token", "active, stopped, ... (comma = OR)"),
            SearchParameter("code", "token", "system|code; dm+d and SNOMED CT systems are one"),
            SearchParameter("effective", "date", "start date, with eq/ge/le/gt/lt prefixes"),
            SearchParameter("feed", "token", "gp, mental-health or acute: the feed it came from"),
            SearchParameter("_lastUpdated", "date", "when medpass stored it, with eq/ge/le/gt/lt prefixes"),
            _COUNT,
            SearchParameter("_sort", "string", "effective or -effective"),
        ),
        includes=("MedicationStatement:medication",),
    ),
    ResourceCapability("Medication", ("read", "search-type"),
                       (SearchParameter("code", "token", "https://dmd.nhs.uk|<dm+d ID>: a product of medpass's dictionary"),)),
    ResourceCapability("MedicationRequest", ("read", "search-type"),
                       (_PATIENT, SearchParameter("status", "token", "comma = OR"), _COUNT)),
    ResourceCapability("AllergyIntolerance", ("read", "search-type"), (_PATIENT, _COUNT)),
    ResourceCapability(
        "List",
        ("search-type",),
        (SearchParameter("patient", "reference", "Patient/{id}: the reconciled medication list"),),
    ),
    ResourceCapability(
        "DetectedIssue",
        ("read", "update", "patch", "search-type"),
        (SearchParameter("patient", "reference", "Patient/{id}: the patient's discrepancies"),
         SearchParameter("status", "token", "preliminary (open), final (resolved), cancelled (dismissed); comma = OR"),
         SearchParameter("code", "token", "a code of CodeSystem/medication-discrepancy, e.g. omission (comma = OR)")),
    ),
    ResourceCapability("Provenance", ("read", "search-type"),
                       (SearchParameter("target", "reference", "DetectedIssue/<id>: who resolved, dismissed or reopened it"),
                        _PATIENT, _COUNT)),
    ResourceCapability(
        "Task",
        ("read", "vread", "history-instance", "update", "patch", "search-type"),
        (
            SearchParameter("owner", "reference", "Organization/<ODS code>: the partner asked to act"),
            SearchParameter("status", "token", "requested, accepted, in-progress, completed, rejected (comma = OR)"),
            _PATIENT,
            SearchParameter("code", "token", "started, stopped, changed, high-severity-discrepancy or missed-doses"),
            SearchParameter("overdue", "token", "true: requested Tasks past their due time (restriction.period.end)"),
            _COUNT,
        ),
    ),
    ResourceCapability("Subscription", ("create", "read", "delete", "search-type"), (_COUNT,)),
    ResourceCapability("CodeSystem", ("read", "search-type"), (SearchParameter("url", "uri", "a CodeSystem medpass publishes"),)),
)


def capability_statement(software_version: str, at: datetime) -> dict[str, Any]:
    """The server's CapabilityStatement (R4 4.0.1), generated from REGISTRY so it cannot drift from the routes."""
    resources = []
    for capability in REGISTRY:
        resource: dict[str, Any] = {
            "type": capability.type,
            "interaction": [{"code": code} for code in capability.interactions],
        }
        if capability.conditional_create:
            resource["conditionalCreate"] = True
        if capability.includes:
            resource["searchInclude"] = list(capability.includes)
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
