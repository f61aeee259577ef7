"""The web layer's one error mapping, through Flask's test client."""

from __future__ import annotations

from pathlib import Path

from medpass import create_app
from medpass.config import Config


def test_health_answers_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    app = create_app(Config(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", instance_path=tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "database unavailable"}


def test_patient_pages_are_hidden_unless_the_demo_is_on(tmp_path: Path) -> None:
    app = create_app(Config(database_url=f"sqlite:///{tmp_path / 'x.db'}", instance_path=tmp_path))
    client = app.test_client()
    assert client.get("/patients/9990000018").status_code == 404
    assert b"shown in the demo only" in client.get("/").data
