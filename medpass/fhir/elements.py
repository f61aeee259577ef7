"""Reading FHIR datatypes shared by R4 and STU3: codings, extensions, periods, dosages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from medpass.domain.medications import Dosage
from medpass.domain.medicines import Coding

Json = dict[str, Any]


def codings(concept: Any) -> tuple[Coding, ...]:
    """The codings of a CodeableConcept, as written."""
    if not isinstance(concept, dict):
        return ()
    return tuple(
        Coding(system=c.get("system"), code=c.get("code"), display=c.get("display"))
        for c in concept.get("coding", []) or []
        if isinstance(c, dict)
    )


def concept_text(concept: Any) -> str | None:
    """A CodeableConcept as words: its text, else its first display, else its first code."""
    if isinstance(concept, str):
        return concept
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return str(concept["text"])
    for coding in codings(concept):
        if coding.display:
            return coding.display
    for coding in codings(concept):
        if coding.code:
            return coding.code
    return None


def concept_code(concept: Any, system: str | None = None) -> str | None:
    """The first code of a CodeableConcept (in `system` if given)."""
    for coding in codings(concept):
        if coding.code and (system is None or coding.system == system):
            return coding.code
    return None


def extensions(element: Any, url: str | tuple[str, ...]) -> list[Json]:
    """The extensions of `element` with the given URL (or any of several)."""
    urls = (url,) if isinstance(url, str) else url
    if not isinstance(element, dict):
        return []
    return [e for e in element.get("extension", []) or [] if isinstance(e, dict) and e.get("url") in urls]


def extension(element: Any, url: str | tuple[str, ...]) -> Json | None:
    """The first extension of `element` with the given URL."""
    found = extensions(element, url)
    return found[0] if found else None


def extension_value(ext: Json | None) -> Any:
    """The value[x] of an extension, whatever its type."""
    if not ext:
        return None
    for key, value in ext.items():
        if key.startswith("value"):
            return value
    return None


def sub_value(ext: Json | None, url: str) -> Any:
    """The value of a named sub-extension of a complex extension."""
    return extension_value(extension(ext, url))


def value_text(value: Any) -> str | None:
    """Any extension value as words: string, code, Coding, or CodeableConcept."""
    if value is None:
        return None
    if isinstance(value, dict):
        if "coding" in value or "text" in value:
            return concept_text(value)
        return value.get("display") or value.get("code")
    return str(value)


def value_code(value: Any) -> str | None:
    """Any coded extension value as its code: code, Coding, or CodeableConcept."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "coding" in value:
            return concept_code(value)
        code = value.get("code")
        return str(code) if code is not None else None
    return None


def effective(resource: Json) -> tuple[str | None, str | None]:
    """effective[x] as (start, end): a dateTime is a start with no end."""
    if resource.get("effectiveDateTime"):
        return str(resource["effectiveDateTime"]), None
    period = resource.get("effectivePeriod")
    if isinstance(period, dict):
        return period.get("start"), period.get("end")
    return None, None


def _decimal(value: Any) -> Decimal | None:
    """A FHIR decimal as Decimal, tolerating the numeric strings some senders write."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _dose_quantity(dosage: Json) -> Json | None:
    """The dose as a Quantity: R4 doseAndRate[0].doseQuantity, STU3 doseSimpleQuantity/doseQuantity."""
    for item in dosage.get("doseAndRate", []) or []:
        if isinstance(item, dict) and isinstance(item.get("doseQuantity"), dict):
            quantity: Json = item["doseQuantity"]
            return quantity
    for key in ("doseQuantity", "doseSimpleQuantity"):
        if isinstance(dosage.get(key), dict):
            simple: Json = dosage[key]
            return simple
    return None


def dosage(raw: Json) -> Dosage:
    """One Dosage: text kept verbatim; timing, dose, route and as-needed parsed where present."""
    repeat = (raw.get("timing") or {}).get("repeat") or {}
    quantity = _dose_quantity(raw) or {}
    route = codings(raw.get("route"))
    frequency = repeat.get("frequency")
    return Dosage(
        text=raw.get("text"),
        patient_instruction=raw.get("patientInstruction"),
        frequency=int(frequency) if isinstance(frequency, (int, float)) else None,
        period=_decimal(repeat.get("period")),
        period_unit=repeat.get("periodUnit"),
        when=tuple(repeat.get("when", []) or []),
        time_of_day=tuple(str(t) for t in repeat.get("timeOfDay", []) or []),
        route=route[0] if route else None,
        dose_value=_decimal(quantity.get("value")),
        dose_unit=quantity.get("code") or quantity.get("unit"),
        as_needed=bool(raw.get("asNeededBoolean")) or "asNeededCodeableConcept" in raw,
        day_of_week=tuple(str(d) for d in repeat.get("dayOfWeek", []) or []),
    )


def dosages(raw: Any) -> tuple[Dosage, ...]:
    """A list of Dosage elements."""
    return tuple(dosage(d) for d in raw or [] if isinstance(d, dict))


def reference_id(reference: Any) -> str | None:
    """The literal reference string of a Reference, if any."""
    if isinstance(reference, dict) and isinstance(reference.get("reference"), str):
        return str(reference["reference"])
    return None


def references(value: Any) -> list[Json]:
    """A Reference or list of References as a list (GP Connect sends single objects for lists)."""
    if isinstance(value, dict):
        return [value]
    return [v for v in value or [] if isinstance(v, dict)]
