"""Outbound HTTP: pushing rest-hook notifications to subscribers' endpoints."""
