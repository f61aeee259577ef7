"""Configuration as a frozen value: the only module that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from medpass.domain.feeds import Feed
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.domain.tasks import AcknowledgementWindows, CareNetwork, MissedDoseRule, Partner

DEFAULT_MAX_MESSAGE_BYTES = 5 * 1024 * 1024
#: Days past a depot's due date before it is flagged overdue (a local choice: check the trust's depot policy).
DEFAULT_DEPOT_GRACE_DAYS = 3


def _flag(value: str | None) -> bool:
    """Read an environment flag: 1/true/yes/on are true, anything else false."""
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _care_network(env: Mapping[str, str]) -> CareNetwork:
    """The trust and hospital that receive change notifications, and how long partners have to acknowledge."""
    default = CareNetwork()
    return CareNetwork(
        trust=Partner(Feed.MENTAL_HEALTH, env.get("MEDPASS_TRUST_ODS", default.trust.ods_code),
                      env.get("MEDPASS_TRUST_NAME", default.trust.name)),
        hospital=Partner(Feed.ACUTE, env.get("MEDPASS_HOSPITAL_ODS", default.hospital.ods_code),
                         env.get("MEDPASS_HOSPITAL_NAME", default.hospital.name)),
        windows=AcknowledgementWindows(
            routine=timedelta(hours=float(env.get("MEDPASS_TASK_DUE_HOURS", default.windows.routine.total_seconds() / 3600))),
            urgent=timedelta(hours=float(env.get("MEDPASS_TASK_DUE_HOURS_URGENT", default.windows.urgent.total_seconds() / 3600))),
        ),
    )


@dataclass(frozen=True)
class Config:
    """Everything medpass needs to know about where it runs."""

    database_url: str
    instance_path: Path
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    demo_pages: bool = False
    samples_dir: Path = Path(__file__).resolve().parent.parent / "fhir_samples"
    care_network: CareNetwork = field(default_factory=CareNetwork)
    rate_limit_per_minute: int = 1200
    push_timeout_seconds: float = 10.0
    push_interval_seconds: float = 30.0
    sms_gateway: str = "console"
    missed_doses: MissedDoseRule = field(default_factory=MissedDoseRule)
    sms_dispatch_seconds: float = 30.0
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    twilio_messaging_service_sid: str | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str | None = None
    public_base_url: str | None = None
    reconciliation: ReconciliationSettings = field(default_factory=lambda: ReconciliationSettings(DEFAULT_DEPOT_GRACE_DAYS))

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
            care_network=_care_network(env),
            rate_limit_per_minute=int(env.get("MEDPASS_RATE_LIMIT_PER_MINUTE", "1200")),
            push_timeout_seconds=float(env.get("MEDPASS_PUSH_TIMEOUT_SECONDS", "10")),
            push_interval_seconds=float(env.get("MEDPASS_PUSH_INTERVAL_SECONDS", "30")),
            sms_gateway=env.get("MEDPASS_SMS_GATEWAY", "console"),
            missed_doses=MissedDoseRule(int(env.get("MEDPASS_MISSED_DOSES", "3")), int(env.get("MEDPASS_MISSED_DOSES_DAYS", "7"))),
            sms_dispatch_seconds=float(env.get("MEDPASS_SMS_DISPATCH_SECONDS", "30")),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN"),
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID"),
            twilio_from_number=env.get("TWILIO_FROM_NUMBER"),
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL"),
            public_base_url=env.get("PUBLIC_BASE_URL"),
            reconciliation=ReconciliationSettings(int(env.get("MEDPASS_DEPOT_GRACE_DAYS", str(DEFAULT_DEPOT_GRACE_DAYS)))),
        )
        return replace(config, samples_dir=Path(samples).resolve()) if samples else config

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        """Return a copy with some fields replaced (used by tests)."""
        return replace(self, **dict(overrides))
