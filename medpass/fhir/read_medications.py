"""MedicationStatements and MedicationRequests of one message, mapped to MedicationEntry.

GP Connect (STU3) and R4 GP systems give one statement per medicine `basedOn` a plan MedicationRequest
(the authorisation) with its issues as `order`s; a change of drug or dose stops the plan and starts a new one
linked by `priorPrescription` (GP Connect Access Record: Structured, medication model). Discharge summaries
carry the PRSB change summary on each continuing medicine and list stopped ones in a separate List.
"""

from __future__ import annotations

from typing import Any

from medpass.domain.errors import Issue, warning
from medpass.domain.medications import (
    REQUEST_TO_STATEMENT_STATUS,
    ChangeStatus,
    ChangeSummary,
    ListKind,
    MedicationEntry,
    PrescriberOfRecord,
)
from medpass.domain.medicines import Medicine
from medpass.fhir.bundle_index import BundleIndex, IndexedEntry
from medpass.fhir.elements import (
    codings,
    concept_code,
    concept_text,
    dosages,
    effective,
    extension,
    extension_value,
    references,
    sub_value,
    value_code,
    value_text,
)

PRESCRIBER_EXTENSIONS = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-MedicationPrescribingOrganizationType",
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-PrescribingAgency-1",
)
CHANGE_SUMMARY_EXTENSIONS = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-MedicationChangeSummary",
    "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-MedicationChangeSummary-1",
)
LAST_ISSUE_EXTENSIONS = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-MedicationStatementLastIssueDate",
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationStatementLastIssueDate-1",
    "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-MedicationStatementLastIssueDate-1",
)
GPC_STATUS_REASON_EXTENSION = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationStatusReason-1"
_ISSUE_INTENTS = frozenset({"order", "original-order", "instance-order", "reflex-order", "filler-order"})


class MedicationReader:
    """Reads the medication resources of one indexed Bundle, collecting warnings as it goes."""

    def __init__(self, index: BundleIndex, list_kinds: dict[str, ListKind]) -> None:
        self.index = index
        self.list_kinds = list_kinds
        self.warnings: list[Issue] = []
        self.consumed: set[int] = set()

    def medicine(self, resource: dict[str, Any], where: str) -> Medicine:
        """medication[x]: a CodeableConcept, or a reference to a contained or bundled Medication."""
        concept = resource.get("medicationCodeableConcept")
        if isinstance(concept, dict):
            return Medicine(codings=codings(concept), text=concept.get("text"))
        reference = resource.get("medicationReference")
        if not isinstance(reference, dict):
            self.warnings.append(warning("incomplete", "no medication[x]: kept as an unnamed medicine", where))
            return Medicine()
        medication = self.index.resolve(reference, resource)
        if medication is None:
            self.warnings.append(
                warning(
                    "not-found",
                    f"Medication {reference.get('reference')!r} is not in the message: kept by its display",
                    f"{where}.medicationReference",
                )
            )
            return Medicine(text=reference.get("display"))
        code = medication.get("code") or {}
        return Medicine(codings=codings(code), text=code.get("text"), form=concept_text(medication.get("form")))

    def change_summary(self, resource: dict[str, Any], where: str) -> ChangeSummary | None:
        """The PRSB change summary (R4 valueCoding lower case, STU3 valueCode capitalised)."""
        ext = extension(resource, CHANGE_SUMMARY_EXTENSIONS)
        if ext is None:
            return None
        raw = value_code(sub_value(ext, "status"))
        try:
            status = ChangeStatus((raw or "").strip().lower())
        except ValueError:
            self.warnings.append(
                warning(
                    "code-invalid",
                    f"change summary status {raw!r} is not Continued/Added/Amended/On-hold: change summary not read",
                    f"{where}.extension",
                )
            )
            return None
        return ChangeSummary(
            status=status,
            reason=value_text(sub_value(ext, "indicationForChange")),
            date_changed=value_text(sub_value(ext, "dateChanged")),
            details=value_text(sub_value(ext, "detailsOfAmendment")),
        )

    def prescriber(self, resource: dict[str, Any]) -> tuple[PrescriberOfRecord | None, str | None]:
        """Prescriber of record (UK Core / GP Connect PrescribingAgency) and any detail text."""
        value = extension_value(extension(resource, PRESCRIBER_EXTENSIONS))
        code = value_code(value)
        try:
            kind = PrescriberOfRecord(code) if code else None
        except ValueError:
            kind = None
        detail = value.get("text") if isinstance(value, dict) else None
        return kind, detail

    def plan_of(self, statement: dict[str, Any]) -> dict[str, Any] | None:
        """The plan MedicationRequest a statement is based on, marking it and its issues as read."""
        for reference in references(statement.get("basedOn")):
            target = self.index.resolve(reference)
            if target is not None and target.get("resourceType") == "MedicationRequest":
                self.consume(target)
                return target
        return None

    def consume(self, request: dict[str, Any]) -> None:
        """Mark a request and every issue (order) based on it as folded into another entry."""
        self.consumed.add(id(request))
        for issue in self.issues_of(request):
            self.consumed.add(id(issue))

    def issues_of(self, plan: dict[str, Any]) -> list[dict[str, Any]]:
        """Every order MedicationRequest based on `plan` (one per prescription issued)."""
        keys = self.index.keys_of(plan)
        return [
            e.resource
            for e in self.index.of_type("MedicationRequest")
            if e.resource.get("intent") in _ISSUE_INTENTS
            and any(r.get("reference") in keys for r in references(e.resource.get("basedOn")))
        ]

    def last_dose(self, resource: dict[str, Any], field_name: str) -> str | None:
        """Newest completed MedicationAdministration a statement's partOf names (NG5: last depot dose)."""
        dates: list[str] = []
        for reference in references(resource.get(field_name)):
            target = self.index.resolve(reference)
            if target and target.get("resourceType") == "MedicationAdministration" and target.get("status") == "completed":
                start, _ = effective(target)
                if start:
                    dates.append(start)
        keys = self.index.keys_of(resource)
        for admin in self.index.of_type("MedicationAdministration"):
            if (admin.resource.get("request") or {}).get("reference") in keys and admin.resource.get("status") == "completed":
                start, _ = effective(admin.resource)
                if start:
                    dates.append(start)
        return max(dates) if dates else None

    def list_kind(self, resource: dict[str, Any]) -> ListKind | None:
        """The List a resource is in, if any."""
        for key in self.index.keys_of(resource):
            if key in self.list_kinds:
                return self.list_kinds[key]
        return None


def _status_reason(resource: dict[str, Any], plan: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """Why and when a medicine was stopped or held: statusReason, or GP Connect's plan extension."""
    for source in (resource, plan):
        if not source:
            continue
        reasons = source.get("statusReason")
        if isinstance(reasons, list) and reasons:
            return concept_text(reasons[0]), None
        if isinstance(reasons, dict):
            return concept_text(reasons), None
        ext = extension(source, GPC_STATUS_REASON_EXTENSION)
        if ext is not None:
            return value_text(sub_value(ext, "statusReason")), value_text(sub_value(ext, "statusChangeDate"))
    return None, None


def _notes(resource: dict[str, Any]) -> tuple[str, ...]:
    """Annotation texts."""
    return tuple(n["text"] for n in resource.get("note", []) or [] if isinstance(n, dict) and n.get("text"))


def _indication(resource: dict[str, Any]) -> str | None:
    """What the medicine is for: reasonCode texts, else reasonReference displays (R4 and STU3 alike)."""
    reasons = [concept_text(c) for c in resource.get("reasonCode", []) or []]
    reasons += [r.get("display") for r in resource.get("reasonReference", []) or [] if isinstance(r, dict)]
    found = [r for r in reasons if r]
    return "; ".join(found) if found else None


def _newest(dates: list[str | None]) -> str | None:
    """The latest of some FHIR dates (ISO strings sort in time order within one precision)."""
    present = [d for d in dates if d]
    return max(present) if present else None


def read_statement(reader: MedicationReader, entry: IndexedEntry) -> MedicationEntry:
    """A MedicationStatement, with its plan's status reason, issues and prior prescription folded in."""
    resource, where = entry.resource, entry.location
    plan = reader.plan_of(resource)
    reason, changed = _status_reason(resource, plan)
    prescriber, detail = reader.prescriber(resource)
    start, end = effective(resource)
    issues = reader.issues_of(plan) if plan else []
    last_issue = value_text(extension_value(extension(resource, LAST_ISSUE_EXTENSIONS)))
    return MedicationEntry(
        source_type="MedicationStatement",
        source_id=resource.get("id"),
        status=str(resource.get("status")),
        source_status=str(resource.get("status")),
        medicine=reader.medicine(resource, where),
        dosages=dosages(resource.get("dosage")) or (dosages(plan.get("dosageInstruction")) if plan else ()),
        status_reason=reason,
        status_changed=changed,
        effective_start=start,
        effective_end=end,
        date_asserted=resource.get("dateAsserted"),
        prescriber=prescriber,
        prescriber_detail=detail,
        change=reader.change_summary(resource, where),
        last_issue_date=last_issue or _newest([i.get("authoredOn") for i in issues]),
        last_dose_date=reader.last_dose(resource, "partOf"),
        plan_id=plan.get("id") if plan else None,
        prior_plan_id=_prior_plan(reader, plan),
        list_kind=reader.list_kind(resource),
        category=concept_code(resource.get("category")),
        notes=_notes(resource),
        indication=_indication(resource) or (_indication(plan) if plan else None),
    )


def _prior_plan(reader: MedicationReader, plan: dict[str, Any] | None) -> str | None:
    """The plan this one replaced (GP Connect priorPrescription): its id, or the reference as sent."""
    if not plan or not isinstance(plan.get("priorPrescription"), dict):
        return None
    target = reader.index.resolve(plan["priorPrescription"])
    if target is not None:
        reader.consume(target)
        found = target.get("id") or plan["priorPrescription"].get("reference")
        return str(found) if found else None
    reference = plan["priorPrescription"].get("reference")
    return str(reference) if isinstance(reference, str) else None


def read_request(reader: MedicationReader, entry: IndexedEntry) -> MedicationEntry:
    """A MedicationRequest no statement speaks for: a hospital or trust prescription, or a lone plan."""
    resource, where = entry.resource, entry.location
    issues = reader.issues_of(resource)
    reader.consume(resource)
    reason, changed = _status_reason(resource, None)
    prescriber, detail = reader.prescriber(resource)
    validity = (resource.get("dispenseRequest") or {}).get("validityPeriod") or {}
    source_status = str(resource.get("status"))
    return MedicationEntry(
        source_type="MedicationRequest",
        source_id=resource.get("id"),
        status=REQUEST_TO_STATEMENT_STATUS.get(source_status, "unknown"),
        source_status=source_status,
        medicine=reader.medicine(resource, where),
        dosages=dosages(resource.get("dosageInstruction")),
        status_reason=reason,
        status_changed=changed,
        effective_start=resource.get("authoredOn") or validity.get("start"),
        effective_end=validity.get("end"),
        date_asserted=resource.get("authoredOn"),
        prescriber=prescriber,
        prescriber_detail=detail,
        change=reader.change_summary(resource, where),
        last_issue_date=_newest([i.get("authoredOn") for i in issues]),
        last_dose_date=reader.last_dose(resource, "partOf"),
        plan_id=resource.get("id") if resource.get("intent") == "plan" else None,
        prior_plan_id=_prior_plan(reader, resource),
        list_kind=reader.list_kind(resource),
        category=concept_code(resource.get("category")) if isinstance(resource.get("category"), dict) else None,
        notes=_notes(resource),
        indication=_indication(resource),
    )


def read_medications(index: BundleIndex, list_kinds: dict[str, ListKind]) -> tuple[tuple[MedicationEntry, ...], list[Issue]]:
    """Every medicine the message states: statements first, then requests that no statement covers."""
    reader = MedicationReader(index, list_kinds)
    found = [read_statement(reader, e) for e in index.of_type("MedicationStatement")]
    for entry in index.of_type("MedicationRequest"):
        if id(entry.resource) not in reader.consumed and not _is_issue_of_listed_plan(reader, entry.resource):
            found.append(read_request(reader, entry))
    return tuple(found), reader.warnings


def _is_issue_of_listed_plan(reader: MedicationReader, request: dict[str, Any]) -> bool:
    """An order based on a plan in the message is one issue of that plan, not a medicine of its own."""
    if request.get("intent") not in _ISSUE_INTENTS:
        return False
    for reference in references(request.get("basedOn")):
        target = reader.index.resolve(reference)
        if target is not None and target.get("resourceType") == "MedicationRequest":
            return True
    return False
