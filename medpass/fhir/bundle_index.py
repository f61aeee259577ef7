"""Resolve references between the resources of one Bundle: urn:uuid fullUrls, Type/id, contained #id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Resource = dict[str, Any]


def entries_of(bundle: Resource) -> Iterator[tuple[str, Resource]]:
    """Every entry of a Bundle with the FHIRPath of its resource, and the entries of a document Bundle carried inside
    a message Bundle (ITK3: the message's entry is the document): read as if the message held them itself."""
    entries = bundle.get("entry")
    for position, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        where = f"Bundle.entry[{position}].resource"
        yield where, entry
        inner = entry.get("resource")
        if isinstance(inner, dict) and inner.get("resourceType") == "Bundle" and isinstance(inner.get("entry"), list):
            for nested, carried in enumerate(inner["entry"]):
                if isinstance(carried, dict):
                    yield f"{where}.entry[{nested}].resource", carried


@dataclass
class IndexedEntry:
    """One resource of the Bundle with its FHIRPath (a carried document's resources are one level down)."""

    position: int
    resource: Resource
    path: str = ""

    @property
    def location(self) -> str:
        """FHIRPath of this resource in the Bundle."""
        return self.path or f"Bundle.entry[{self.position}].resource"


@dataclass
class BundleIndex:
    """Every resource of a Bundle, findable by type and by any way a reference may name it."""

    entries: list[IndexedEntry] = field(default_factory=list)
    by_key: dict[str, IndexedEntry] = field(default_factory=dict)
    keys_by_resource: dict[int, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, bundle: Resource) -> BundleIndex:
        """Index a validated Bundle, with the resources of a document it carries (entries_of)."""
        index = cls()
        for position, (path, entry) in enumerate(entries_of(bundle)):
            item = IndexedEntry(position, entry["resource"], path)
            index.entries.append(item)
            kind, rid = item.resource.get("resourceType"), item.resource.get("id")
            full_url = entry.get("fullUrl")
            if isinstance(full_url, str):
                index.by_key[full_url] = item
            if rid:
                index.by_key[f"{kind}/{rid}"] = item
        for key, item in index.by_key.items():
            index.keys_by_resource.setdefault(id(item.resource), set()).add(key)
        return index

    def of_type(self, resource_type: str) -> Iterator[IndexedEntry]:
        """Every entry of one resource type, in Bundle order."""
        return (e for e in self.entries if e.resource.get("resourceType") == resource_type)

    def resolve(self, reference: Any, container: Resource | None = None) -> Resource | None:
        """The resource a Reference points at, if it is in this Bundle (or contained in `container`)."""
        if not isinstance(reference, dict):
            return None
        target = reference.get("reference")
        if not isinstance(target, str):
            return None
        if target.startswith("#") and container is not None:
            for contained in container.get("contained", []) or []:
                if isinstance(contained, dict) and contained.get("id") == target[1:]:
                    return contained
            return None
        found = self.by_key.get(target)
        if found is None and "/" in target and not target.startswith("urn:"):
            parts = target.rstrip("/").split("/")
            if "_history" in parts:
                parts = parts[: parts.index("_history")]
            found = self.by_key.get("/".join(parts[-2:]))
        return found.resource if found else None

    def keys_of(self, resource: Resource) -> set[str]:
        """Every key by which `resource` may be referenced."""
        return self.keys_by_resource.get(id(resource), set())
