"""SMS gateways: where an outbox message goes out (console for offline use, Twilio for real)."""
