"""Read raw bytes into a validated FHIR Bundle: size, JSON, version, structure, value sets.

Repairs are deliberate and few. GP Connect's published responses put a single object where STU3 wants a
list (`MedicationStatement.basedOn`, `Patient.generalPractitioner`) and a one-element array where it wants a
code (`Duration.code`); these carry one unambiguous meaning, so medpass repairs them and says so in a
warning. Everything else that fails validation rejects the whole message.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from medpass.domain.errors import (
    Issue,
    MessageRejected,
    PayloadTooLarge,
    UnsupportedVersion,
    error,
    warning,
)
from medpass.fhir.bundle_index import entries_of
from medpass.fhir.models import FhirVersion, ValidationError, is_known_resource_type, validate_resource
from medpass.fhir.valuesets import check_bindings

#: Bundle types that carry a feed's view of a patient; the response/history types do not.
ACCEPTED_BUNDLE_TYPES = frozenset({"collection", "transaction", "batch", "document", "searchset", "message"})

#: Resource types that exist only in FHIR versions medpass does not read, with the version named.
_OTHER_VERSION_TYPES = {
    "MedicationUsage": "R5",
    "MedicationOrder": "DSTU2",
    "InventoryItem": "R5",
}

_VERSION_ALIASES = {
    "4.0": FhirVersion.R4,
    "4.0.0": FhirVersion.R4,
    "4.0.1": FhirVersion.R4,
    "R4": FhirVersion.R4,
    "3.0": FhirVersion.STU3,
    "3.0.1": FhirVersion.STU3,
    "3.0.2": FhirVersion.STU3,
    "STU3": FhirVersion.STU3,
}

_MAX_REPAIR_ROUNDS = 3


@dataclass(frozen=True)
class ParsedBundle:
    """A Bundle that passed every structural check, with the repairs made to it."""

    data: dict[str, Any]
    content_hash: str
    version: FhirVersion
    warnings: tuple[Issue, ...]


def canonical_hash(data: Any) -> str:
    """SHA-256 of the JSON with sorted keys and no spacing: the same message re-sent hashes the same."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def fhir_path(loc: tuple[int | str, ...], root: str = "Bundle") -> str:
    """Turn a pydantic error location into a FHIRPath such as Bundle.entry[3].resource.status."""
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def declared_version(value: str | None) -> FhirVersion | None:
    """Read a caller-declared FHIR version ('4.0', '3.0.2', ...) or reject one medpass does not read."""
    if value is None or value == "":
        return None
    version = _VERSION_ALIASES.get(value.strip())
    if version is None:
        raise UnsupportedVersion(
            [error("not-supported", f"FHIR version {value!r} is not supported: send R4 (4.0.1), or STU3 for GP Connect")]
        )
    return version


def decode_json(raw: bytes, max_bytes: int) -> Any:
    """Check the size and decode UTF-8 JSON, rejecting with the line and column of a syntax error."""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(
            [error("too-long", f"message is {len(raw)} bytes; the limit is {max_bytes} bytes")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MessageRejected([error("structure", f"message is not UTF-8 text (byte {exc.start})")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MessageRejected(
            [error("structure", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from None
    except RecursionError:
        raise MessageRejected([error("structure", "malformed JSON: nested too deeply")]) from None


def _profiles(resource: dict[str, Any]) -> list[str]:
    """The meta.profile URLs a resource claims."""
    meta = resource.get("meta")
    profiles = meta.get("profile") if isinstance(meta, dict) else None
    return [p for p in profiles if isinstance(p, str)] if isinstance(profiles, list) else []


def infer_version(bundle: dict[str, Any]) -> FhirVersion:
    """STU3 when the Bundle or any resource (a carried document's too) claims an STU3 (GP Connect / CareConnect)
    profile, else R4."""
    resources = [bundle] + [e.get("resource") for _, e in entries_of(bundle)]
    for resource in resources:
        if isinstance(resource, dict) and any("/STU3/" in p for p in _profiles(resource)):
            return FhirVersion.STU3
    return FhirVersion.R4


def _check_shape(data: Any, version: FhirVersion) -> list[Issue]:
    """Top-level checks fhir.resources cannot phrase well: a Bundle, of a feed type, with typed entries."""
    if not isinstance(data, dict):
        return [error("structure", "a feed message must be a JSON object (a FHIR Bundle)", "Bundle")]
    kind = data.get("resourceType")
    if kind != "Bundle":
        if isinstance(kind, str) and kind in _OTHER_VERSION_TYPES:
            raise UnsupportedVersion([error("not-supported", f"{kind} is FHIR {_OTHER_VERSION_TYPES[kind]}; send FHIR R4")])
        return [
            error(
                "structure",
                f"a feed message must be a FHIR Bundle, not {kind!r}" if kind else "resourceType is missing",
                kind if isinstance(kind, str) else "resourceType",
            )
        ]
    issues: list[Issue] = []
    bundle_type = data.get("type")
    if isinstance(bundle_type, str) and bundle_type not in ACCEPTED_BUNDLE_TYPES:
        allowed = ", ".join(sorted(ACCEPTED_BUNDLE_TYPES))
        issues.append(error("not-supported", f"a {bundle_type} Bundle is not a feed message ({allowed})", "Bundle.type"))
    return issues + _check_entries(data, version, "Bundle", outer=bundle_type if isinstance(bundle_type, str) else None)


def _check_entries(bundle: dict[str, Any], version: FhirVersion, where: str, outer: str | None) -> list[Issue]:
    """Every entry carries a typed resource of this FHIR version; a Bundle inside is read only as a message's document."""
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        return [error("structure", "Bundle.entry must be a list", f"{where}.entry")]
    issues: list[Issue] = []
    documents = 0
    for index, entry in enumerate(entries):
        at = f"{where}.entry[{index}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            issues.append(error("structure", "each entry must carry a resource object", f"{at}.resource"))
            continue
        kind = resource.get("resourceType")
        if not isinstance(kind, str):
            issues.append(error("required", "resourceType is missing", f"{at}.resource.resourceType"))
        elif kind in _OTHER_VERSION_TYPES:
            raise UnsupportedVersion(
                [error("not-supported", f"{kind} is FHIR {_OTHER_VERSION_TYPES[kind]}; send FHIR R4", f"{at}.resource")]
            )
        elif not is_known_resource_type(version, kind):
            issues.append(error("not-supported", f"{kind!r} is not a FHIR {version.name} resource", f"{at}.resource"))
        elif kind == "Bundle":
            documents += 1
            issues += _check_carried(resource, version, f"{at}.resource", outer, documents)
    return issues


def _check_carried(bundle: dict[str, Any], version: FhirVersion, where: str, outer: str | None, documents: int) -> list[Issue]:
    """A Bundle inside a Bundle: only one document inside a message Bundle (ITK3) is read; anything else is refused."""
    if outer != "message":
        return [error("not-supported", f"a Bundle inside a {outer or 'feed'} Bundle is not read: send the document as the message "
                      "itself, or inside a FHIR message Bundle", where)]
    if bundle.get("type") != "document":
        return [error("not-supported", f"a message Bundle is read with one document Bundle inside it; a {bundle.get('type')!r} "
                      "Bundle inside it is not read", f"{where}.type")]
    if documents > 1:
        return [error("not-supported", "a message Bundle is read with one document Bundle inside it; this is a second one", where)]
    return _check_entries(bundle, version, where, outer="document")


def _locate(data: Any, loc: tuple[int | str, ...]) -> tuple[Any, int | str] | None:
    """The container and key that a pydantic error location points at in the raw JSON."""
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not loc:
        return None
    try:
        node[loc[-1]]
    except (KeyError, IndexError, TypeError):
        return None
    return node, loc[-1]


def _repair(data: Any, err: dict[str, Any]) -> Issue | None:
    """Repair one error in place if it is a known one-meaning shape slip; return the warning, else None."""
    spot = _locate(data, tuple(err["loc"]))
    if spot is None:
        return None
    container, key = spot
    value = container[key]
    where = fhir_path(tuple(err["loc"]))
    if err["type"] == "list_type" and isinstance(value, dict):
        container[key] = [value]
        return warning("structure", "repaired: a single object was sent where a list is required", where)
    if err["type"] == "string_type" and isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        container[key] = value[0]
        return warning("structure", "repaired: a one-element array was sent where a single value is required", where)
    return None


def _describe(err: dict[str, Any]) -> str:
    """Turn a pydantic error into a sentence that names what was sent."""
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return "element is not part of this FHIR resource"
    sent = err.get("input")
    if isinstance(sent, (str, int, float)) and err["type"] != "missing":
        return f"{message} (sent {sent!r})"
    return message


def _validate_with_repairs(data: dict[str, Any], version: FhirVersion) -> list[Issue]:
    """Validate with fhir.resources, repairing the known slips, and raise on anything else."""
    repairs: list[Issue] = []
    for _ in range(_MAX_REPAIR_ROUNDS):
        try:
            validate_resource(version, data)
            return repairs
        except ValidationError as exc:
            errors = [dict(e) for e in exc.errors()]
        except Exception as exc:  # fhir.resources raises KeyError/TypeError on some shapes
            raise MessageRejected([error("structure", f"the Bundle could not be read as FHIR: {exc}", "Bundle")]) from None
        fixed = [_repair(data, err) for err in errors]
        if not all(fixed):
            issues = [
                error("structure" if e["type"] != "missing" else "required", _describe(e), fhir_path(tuple(e["loc"])))  # type: ignore[arg-type]
                for e, ok in zip(errors, fixed, strict=True)
                if ok is None
            ]
            raise MessageRejected(issues)
        repairs.extend(issue for issue in fixed if issue is not None)
    raise MessageRejected([error("structure", "the Bundle still fails validation after repairs", "Bundle")])


def parse_bundle(raw: bytes, max_bytes: int, version_declared: str | None = None) -> ParsedBundle:
    """Read a feed message's bytes into a validated Bundle or raise MessageRejected with every issue."""
    data = decode_json(raw, max_bytes)
    content_hash = canonical_hash(data)
    declared = declared_version(version_declared)
    version = declared or (infer_version(data) if isinstance(data, dict) else FhirVersion.R4)
    issues = _check_shape(data, version)
    if issues:
        raise MessageRejected(issues)
    repairs = _validate_with_repairs(data, version)
    binding_issues = check_bindings(version, data, "Bundle")
    for where, entry in entries_of(data):
        binding_issues += check_bindings(version, entry["resource"], where)
    if binding_issues:
        raise MessageRejected(binding_issues)
    return ParsedBundle(data=data, content_hash=content_hash, version=version, warnings=tuple(repairs))
