"""``python -m app.serve`` (the image's command) exits non-zero when the service cannot start,
and ``python -m app.healthcheck`` tells an API from a worker."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "ANJIAN_ENVIRONMENT": "production",
    "ANJIAN_DATABASE_URL": "postgresql://anjian@127.0.0.1:1/anjian",
    "ANJIAN_CURSOR_SECRET": "c" * 40,
    "ANJIAN_DEV_JWT_SECRET": "",
    "ANJIAN_HOST": "127.0.0.1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(
    args: list[str], env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def refusal(stderr: str) -> dict[str, str]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    refused = [line for line in lines if line["event"] == "startup_refused"]
    assert refused, stderr
    return refused[0]


@pytest.fixture
def jwks(tmp_path: Path) -> str:
    path = tmp_path / "jwks.json"
    path.write_text('{"keys": []}')
    return str(path)


def test_production_without_public_report_key_exits_non_zero(jwks: str) -> None:
    env = {**PRODUCTION, "ANJIAN_JWKS_FILE": jwks, "ANJIAN_PORT": str(free_port())}
    done = run(["-m", "app.serve"], env)
    assert done.returncode == 2, done.stderr
    assert "ANJIAN_PUBLIC_REPORT_KEY" in refusal(done.stderr)["reason"]
    assert "Uvicorn running" not in done.stderr  # refused before binding the port


def test_refused_settings_name_the_setting() -> None:
    env = {**PRODUCTION, "ANJIAN_WORKERS": "0"}
    done = run(["-m", "app.preflight"], env)
    assert done.returncode == 2
    reason = refusal(done.stderr)["reason"]
    assert reason.startswith("ANJIAN_WORKERS: ")


def test_preflight_accepts_a_complete_production_configuration(jwks: str) -> None:
    env = {
        **PRODUCTION,
        "ANJIAN_JWKS_FILE": jwks,
        "ANJIAN_PUBLIC_REPORT_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    done = run(["-m", "app.preflight"], env)
    assert done.returncode == 0, done.stderr


def test_a_worker_process_failing_at_startup_exits_non_zero() -> None:
    """uvicorn's multi-process supervisor itself exits 0 here."""
    script = (
        "import sys\n"
        "from app.config import Settings\n"
        "from app.serve import serve\n"
        f"settings = Settings(host='127.0.0.1', port={free_port()}, workers=2)\n"
        "sys.exit(serve(settings, app='tests.system.failing_app:create_app'))\n"
    )
    done = run(["-c", script], {})
    assert done.returncode == 3, done.stderr
    failed = [
        json.loads(line)
        for line in done.stderr.splitlines()
        if line.startswith("{") and '"startup_failed"' in line
    ]
    assert failed, done.stderr
    assert failed[0]["pids"]


def test_healthcheck_roles(tmp_path: Path) -> None:
    heartbeat = tmp_path / "heartbeat"
    env = {
        "ANJIAN_WORKER_HEARTBEAT_FILE": str(heartbeat),
        "ANJIAN_PORT": str(free_port()),  # nothing listens there
    }
    assert run(["-m", "app.healthcheck"], env).returncode == 1  # the API role: no answer
    assert run(["-m", "app.healthcheck", "worker"], env).returncode == 1  # no heartbeat
    heartbeat.touch()
    assert run(["-m", "app.healthcheck"], env).returncode == 0  # a worker, beating
    os.utime(heartbeat, (0, 0))
    assert run(["-m", "app.healthcheck", "worker"], env).returncode == 1  # stale
