"""End-to-end fixtures: the real `flask` command and a real server, on a real database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

FLASK = [sys.executable, "-m", "flask", "--app", "medpass"]


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment a user's shell would have, pointed at the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDPASS_")}
    env.update(DATABASE_URL=database_url, MEDPASS_INSTANCE_PATH=str(tmp_path / "instance"), PYTHONPATH=str(ROOT))
    return env


@pytest.fixture
def flask_cli(cli_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `flask --app medpass ...` as a user would, returning its exit code and output."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*FLASK, *args], env=cli_env, cwd=ROOT, capture_output=True, text=True, timeout=120)

    return run


def _free_port() -> int:
    """A TCP port on loopback nobody is using."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(cli_env: dict[str, str], flask_cli: Callable[..., subprocess.CompletedProcess[str]]) -> Iterator[str]:
    """`flask run` on a free loopback port with the demo pages on; yields its base URL."""
    assert flask_cli("init-db").returncode == 0
    port = _free_port()
    env = dict(cli_env, MEDPASS_DEMO_PAGES="1")
    server = subprocess.Popen([*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"server exited: {server.stderr.read() if server.stderr else ''}")
                time.sleep(0.1)
        else:
            pytest.fail("server did not answer /healthz within 10 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
