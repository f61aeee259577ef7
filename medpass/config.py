"""Configuration as a frozen value: the only module that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULT_MAX_MESSAGE_BYTES = 5 * 1024 * 1024


def _flag(value: str | None) -> bool:
    """Read an environment flag: 1/true/yes/on are true, anything else false."""
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    """Everything medpass needs to know about where it runs."""

    database_url: str
    instance_path: Path
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    demo_pages: bool = False
    samples_dir: Path = Path(__file__).resolve().parent.parent / "fhir_samples"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Build the configuration from environment variables (see README's table)."""
        env = os.environ if environ is None else environ
        instance = Path(env.get("MEDPASS_INSTANCE_PATH", "instance")).resolve()
        url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'medpass.db'}"
        limit = env.get("MEDPASS_MAX_MESSAGE_BYTES")
        samples = env.get("MEDPASS_SAMPLES_DIR")
        config = cls(
            database_url=url,
            instance_path=instance,
            max_message_bytes=int(limit) if limit else DEFAULT_MAX_MESSAGE_BYTES,
            demo_pages=_flag(env.get("MEDPASS_DEMO_PAGES")),
        )
        return replace(config, samples_dir=Path(samples).resolve()) if samples else config

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        """Return a copy with some fields replaced (used by tests)."""
        return replace(self, **dict(overrides))
