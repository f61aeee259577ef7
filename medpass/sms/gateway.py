"""The two SMS gateways behind one small interface: `console` (logs, marks sent) and `twilio` (the real client)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from medpass.config import Config

log = logging.getLogger(__name__)


class GatewayError(Exception):
    """A send that failed: Twilio's error code and the HTTP status when there was an answer, neither when there was none."""

    def __init__(self, message: str, code: int | None = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.http_status = code, http_status


class SmsGateway(Protocol):
    """Sends one SMS and returns the provider's message id (Twilio's SID)."""

    def send(self, to: str, body: str, reference: str) -> str:
        """Send `body` to `to` (E.164); `reference` is medpass's id for the message. Raises GatewayError."""
        ...


class ConsoleGateway:
    """The default: writes the message to the log and calls it sent, so `make run` works offline."""

    def send(self, to: str, body: str, reference: str) -> str:
        """Log it; the SID is medpass's own reference."""
        log.info("SMS to %s (%s): %s", to, reference, body)
        return f"console-{reference}"


@dataclass(frozen=True)
class TwilioSettings:
    """Where and as whom to send: account, token, a messaging service or a from number, and the API's base URL."""

    account_sid: str
    auth_token: str
    messaging_service_sid: str | None = None
    from_number: str | None = None
    api_base_url: str | None = None
    status_callback: str | None = None
    timeout_seconds: float = 10.0


class TwilioGateway:
    """The real twilio client (pointed at TWILIO_API_BASE_URL when set, as tests do)."""

    def __init__(self, settings: TwilioSettings) -> None:
        if not (settings.messaging_service_sid or settings.from_number):
            raise ValueError("the twilio gateway needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        self.settings = settings
        self.client = Client(settings.account_sid, settings.auth_token, http_client=TwilioHttpClient(timeout=settings.timeout_seconds))
        if settings.api_base_url:
            self.client.api.base_url = settings.api_base_url.rstrip("/")

    def send(self, to: str, body: str, reference: str) -> str:
        """Create the message; Twilio's errors keep their code and status; no answer at all has neither."""
        sender = {"messaging_service_sid": self.settings.messaging_service_sid} if self.settings.messaging_service_sid \
            else {"from_": self.settings.from_number}
        callback = {"status_callback": self.settings.status_callback} if self.settings.status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **sender, **callback)
        except TwilioRestException as exc:
            raise GatewayError(f"Twilio refused it: {exc.msg}", exc.code if isinstance(exc.code, int) else None, exc.status) from None
        except requests.RequestException as exc:
            raise GatewayError(f"no answer from Twilio ({type(exc).__name__})") from None
        return str(message.sid)


def gateway_from(config: Config) -> SmsGateway:
    """The gateway MEDPASS_SMS_GATEWAY names: console (default) or twilio (which needs its account settings)."""
    if config.sms_gateway == "console":
        return ConsoleGateway()
    if config.sms_gateway != "twilio":
        raise ValueError(f"MEDPASS_SMS_GATEWAY is console or twilio, not {config.sms_gateway!r}")
    if not (config.twilio_account_sid and config.twilio_auth_token):
        raise ValueError("the twilio gateway needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    callback = f"{config.public_base_url.rstrip('/')}/sms/status" if config.public_base_url else None
    return TwilioGateway(TwilioSettings(config.twilio_account_sid, config.twilio_auth_token, config.twilio_messaging_service_sid,
                                        config.twilio_from_number, config.twilio_api_base_url, callback))
