"""The production server: gunicorn with the repository's config serves /healthz and the FHIR API."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT

Cli = Callable[..., subprocess.CompletedProcess[str]]


def test_gunicorn_serves_health_and_metadata_and_logs_no_token(flask_cli: Cli, cli_env: dict[str, str]) -> None:
    assert flask_cli("init-db").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    env = dict(cli_env, MEDPASS_BIND=f"127.0.0.1:{port}", MEDPASS_WORKERS="2")
    server = subprocess.Popen(
        [gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert json.loads(response.read()) == {"status": "ok"}
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer /healthz")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/fhir/metadata", timeout=5) as response:
            assert json.loads(response.read())["resourceType"] == "CapabilityStatement"
        request = urllib.request.Request(f"http://127.0.0.1:{port}/fhir/Patient/1", headers={"Authorization": "Bearer secret-token-123"})
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 401
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=15)
    assert "secret-token-123" not in output and "GET /fhir/Patient/1" in output
