"""Resolve references between the resources of one Bundle: urn:uuid fullUrls, Type/id, contained #id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Resource = dict[str, Any]


@dataclass
class IndexedEntry:
    """One resource of the Bundle with its position, for FHIRPath locations."""

    position: int
    resource: Resource

    @property
    def location(self) -> str:
        """FHIRPath of this resource in the Bundle."""
        return f"Bundle.entry[{self.position}].resource"


@dataclass
class BundleIndex:
    """Every resource of a Bundle, findable by type and by any way a reference may name it."""

    entries: list[IndexedEntry] = field(default_factory=list)
    by_key: dict[str, IndexedEntry] = field(default_factory=dict)
    keys_by_resource: dict[int, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, bundle: Resource) -> BundleIndex:
        """Index a validated Bundle."""
        index = cls()
        for position, entry in enumerate(bundle.get("entry", [])):
            item = IndexedEntry(position, entry["resource"])
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
