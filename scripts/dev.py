"""``make run``: the service on http://127.0.0.1:8000 with everything it needs, until Ctrl-C.

Without ``DATABASE_URL`` / ``ANJIAN_DATABASE_URL`` an embedded PostgreSQL (the ``pgserver``
package) is started, its data kept under ``.data/pg/`` across restarts, with a database
``anjian`` in it; the PostgreSQL on 127.0.0.1:5432, if any, is not touched. Then: migrations,
the reference data loader, a development JWT secret (``.data/dev-jwt-secret``), an administrator
token, the worker (when the project has one) and uvicorn. Ctrl-C or SIGTERM stops uvicorn, the
worker and the embedded server (only when this run started it), in that order.

``python -m scripts.dev [--host 127.0.0.1] [--port 8000] [--reload]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
import types
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / ".data"
PG_DIR = DATA_DIR / "pg"
SECRET_FILE = DATA_DIR / "dev-jwt-secret"
DATABASE = "anjian"
PYTHON = sys.executable  # the interpreter of .venv when started by `make run`
STOP_TIMEOUT = 15.0


class StopRequestedError(Exception):
    """Ctrl-C or SIGTERM."""


def _on_signal(signum: int, frame: types.FrameType | None) -> None:
    raise StopRequestedError(signal.Signals(signum).name)


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


@dataclass
class Embedded:
    """The embedded PostgreSQL: where it listens, and whether this run has to stop it."""

    url: str
    started_here: bool
    system_user: str | None

    def stop(self) -> None:
        if not self.started_here:
            say("embedded PostgreSQL was already running before this run: left running")
            return
        from pgserver._commands import POSTGRES_BIN_PATH

        say("stopping embedded PostgreSQL")
        pg_ctl = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(PG_DIR), "-w", "-m", "fast", "stop"]
        try:
            subprocess.run(  # noqa: S603
                pg_ctl, user=self.system_user, timeout=60, check=True, stdout=subprocess.DEVNULL
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            say(f"pg_ctl stop failed ({exc}); see {PG_DIR / 'log'}")


async def _ensure_database(host: str, port: int) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await conn.execute("CREATE DATABASE anjian")
            say(f"created database {DATABASE}")
    finally:
        await conn.close()


def start_embedded() -> Embedded:
    """Start (or attach to) the PostgreSQL under .data/pg and make sure ``anjian`` exists.

    pg_ctl detaches the postmaster into its own session, so a Ctrl-C in the terminal reaches
    uvicorn and this script but not PostgreSQL, which is stopped last, explicitly.
    """
    try:
        with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set"
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server
            from pgserver.utils import PostmasterInfo
    except ImportError:
        sys.exit(
            "DATABASE_URL is not set and pgserver is not installed: run `make venv` "
            "(pgserver is in the dev group) or set DATABASE_URL"
        )

    DATA_DIR.mkdir(exist_ok=True)
    before = PostmasterInfo.read_from_pgdata(PG_DIR) if PG_DIR.exists() else None
    already_running = before is not None and before.is_running()
    say(f"{'attaching to' if already_running else 'starting'} embedded PostgreSQL in {PG_DIR}")
    server = get_server(PG_DIR, cleanup_mode=None)
    info = server.get_postmaster_info()
    if info.socket_dir is not None:  # unix socket only, no TCP port (the normal case)
        host, port = str(info.socket_dir), info.port or 5432
        url = f"postgresql://postgres@/{DATABASE}?host={quote(host, safe='/')}"
        if port != 5432:
            url += f"&port={port}"
    else:  # Windows: pgserver listens on a free TCP port
        host, port = str(info.hostname), int(info.port)
        url = f"postgresql://postgres@{host}:{port}/{DATABASE}"
    embedded = Embedded(url=url, started_here=not already_running, system_user=server.system_user)
    try:
        asyncio.run(_ensure_database(host, port))
    except BaseException:
        embedded.stop()
        raise
    return embedded


def dev_jwt_secret() -> str:
    if SECRET_FILE.exists():
        return SECRET_FILE.read_text().strip()
    DATA_DIR.mkdir(exist_ok=True)
    secret = secrets.token_urlsafe(48)
    SECRET_FILE.touch(mode=0o600)
    SECRET_FILE.write_text(secret + "\n")
    say(f"generated a development JWT secret in {SECRET_FILE.relative_to(ROOT)}")
    return secret


def run_step(title: str, *args: str) -> None:
    say(title)
    result = subprocess.run([PYTHON, *args], cwd=ROOT, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"[dev] {title}: failed (exit {result.returncode})")


def admin_token() -> str | None:
    from app.auth.tokens import mint_dev_token
    from app.config import Settings

    settings = Settings()
    if not settings.dev_jwt_secret:
        return None
    return mint_dev_token(settings, {"sub": "dev-admin", "role": "admin"})


def stop_process(name: str, proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    say(f"stopping {name}")
    proc.send_signal(signal.SIGINT)  # uvicorn and the worker shut down gracefully on SIGINT
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        say(f"{name} did not stop within {STOP_TIMEOUT:.0f}s: killing it")
        proc.kill()
        proc.wait()


def spawn(*args: str) -> subprocess.Popen[bytes]:
    # Own session: the terminal's Ctrl-C reaches only this script, which stops the children in
    # order (a second SIGINT would make uvicorn skip its graceful shutdown).
    return subprocess.Popen(  # noqa: S603
        [PYTHON, *args], cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True
    )


def has_worker() -> bool:
    app_dir = ROOT / "app"
    return (app_dir / "worker" / "__init__.py").exists() or (app_dir / "worker.py").exists()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Anjian for development.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--reload", action="store_true", help="restart uvicorn on code changes")
    args = parser.parse_args()

    os.chdir(ROOT)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)

    embedded: Embedded | None = None
    api: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    exit_code = 0
    try:
        if os.environ.get("ANJIAN_DATABASE_URL") or os.environ.get("DATABASE_URL"):
            say("using the database from DATABASE_URL / ANJIAN_DATABASE_URL")
        else:
            embedded = start_embedded()
            os.environ["DATABASE_URL"] = embedded.url
            say(f"DATABASE_URL={embedded.url}")
        environment = os.environ.setdefault("ANJIAN_ENVIRONMENT", "development")
        if environment != "production" and not os.environ.get("ANJIAN_DEV_JWT_SECRET"):
            os.environ["ANJIAN_DEV_JWT_SECRET"] = dev_jwt_secret()

        run_step("migrating: alembic upgrade head", "-m", "alembic", "upgrade", "head")
        run_step("loading reference data", "-m", "app.reference.loader", "--if-empty")

        if has_worker():
            say("starting the worker: python -m app.worker")
            worker = spawn("-m", "app.worker")
        uvicorn_args = [
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            args.host,
            "--port",
            str(args.port),
        ]
        if args.reload:
            uvicorn_args += ["--reload", "--reload-dir", "app"]
        api = spawn(*uvicorn_args)

        base = f"http://{args.host}:{args.port}"
        token = admin_token()
        print(flush=True)
        print(f"  API      {base}\n  Swagger  {base}/docs\n  ReDoc    {base}/redoc")
        if token:
            print("\n  Administrator token (12 h):\n")
            print(f"    export TOKEN={token}")
            print(f'    curl -H "Authorization: Bearer $TOKEN" {base}/api/v1/regions')
            print(
                "\n  More tokens:  .venv/bin/python -m app.cli token --role inspector "
                "--region 330106"
            )
            print(
                "  (roles: admin, committee_office, department_official, town_official, "
                "inspector, enterprise_user, expert, system)"
            )
        else:
            print("\n  No development token: ANJIAN_DEV_JWT_SECRET is not set.")
        print("\n  Ctrl-C stops everything.\n", flush=True)

        while True:
            code = api.poll()
            if code is not None:
                say(f"uvicorn exited with status {code}")
                exit_code = code or 1
                break
            if worker is not None and worker.poll() is not None:
                say(f"the worker exited with status {worker.returncode}; the API keeps running")
                worker = None
            time.sleep(0.5)
    except StopRequestedError as stop:
        say(f"{stop}: shutting down")
    except SystemExit as exc:
        exit_code = exc.code if isinstance(exc.code, int) else 1
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr, flush=True)
    finally:
        # No more interruptions: every step below is bounded by a timeout.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_process("uvicorn", api)
        stop_process("the worker", worker)
        if embedded is not None:
            embedded.stop()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
