"""Twilio's webhooks: replies (`/sms/inbound`) and delivery status (`/sms/status`), each checked for Twilio's signature.

The signature is computed over the public URL Twilio called (PUBLIC_BASE_URL plus the path and query, so it
is right behind a TLS proxy) and the form fields; without a valid one the answer is 403 and nothing changes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from twilio.request_validator import RequestValidator

from medpass.services.sms_inbound import receive_reply, receive_status
from medpass.web import db_session, medpass_config

sms_webhooks = Blueprint("sms_webhooks", __name__, url_prefix="/sms")
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signed_by_twilio() -> None:
    """403 unless X-Twilio-Signature is Twilio's signature of this request with the account's auth token."""
    config = medpass_config()
    if not config.twilio_auth_token:
        abort(403, "Twilio webhooks need TWILIO_AUTH_TOKEN to check their signature")
    base = config.public_base_url.rstrip("/") if config.public_base_url else request.host_url.rstrip("/")
    query = request.query_string.decode()
    url = f"{base}{request.path}" + (f"?{query}" if query else "")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(config.twilio_auth_token).validate(url, request.form.to_dict(), signature):
        abort(403, "the request is not signed by Twilio")


@sms_webhooks.post("/inbound")
def inbound() -> ResponseReturnValue:
    """A patient's reply: stored once, then acted on (opt-out, opt-in, HELP, TAKEN/SKIP, or their own words)."""
    _signed_by_twilio()
    form = request.form
    if not form.get("MessageSid") or not form.get("From"):
        abort(400, "a Twilio message webhook has MessageSid and From")
    config = medpass_config()
    receive_reply(db_session(), message_sid=form["MessageSid"], from_number=form["From"], body=form.get("Body", ""),
                  now=datetime.now(UTC), rule=config.missed_doses, network=config.care_network)
    return Response(_EMPTY_TWIML, mimetype="text/xml")


@sms_webhooks.post("/status")
def status() -> ResponseReturnValue:
    """A delivery status callback, recorded once per (MessageSid, MessageStatus)."""
    _signed_by_twilio()
    form = request.form
    if not form.get("MessageSid") or not form.get("MessageStatus"):
        abort(400, "a Twilio status callback has MessageSid and MessageStatus")
    receive_status(db_session(), message_sid=form["MessageSid"], status=form["MessageStatus"], error_code=form.get("ErrorCode"),
                   now=datetime.now(UTC))
    return Response(status=204)
