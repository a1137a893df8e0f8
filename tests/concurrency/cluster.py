"""A private PostgreSQL cluster a test may kill: own data directory, random port, 127.0.0.1.

The binaries are the machine's (``/usr/lib/postgresql/<version>/bin``) or, without them, those
of the embedded server package (``pgserver``). As root, the server runs as the ``postgres``
system user (or the one ``pgserver`` creates), as PostgreSQL refuses to run as root. The
postmaster is started in a process group of its own, so ``kill()`` can SIGKILL it together
with every backend, as a crash or an OOM kill would.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg
from pgserver import _commands as embedded
from pgserver.utils import (
    ensure_folder_permissions,
    ensure_prefix_permissions,
    ensure_user_exists,
)


def _binaries() -> Path:
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), reverse=True)
    if system:
        return system[0].parent
    return Path(embedded.POSTGRES_BIN_PATH)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _system_user(binaries: Path) -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
        return "postgres"
    except KeyError:
        ensure_user_exists("pgserver")
        ensure_prefix_permissions(binaries)
        ensure_folder_permissions(binaries.parent, 0o055)
        return "pgserver"


class Cluster:
    def __init__(self) -> None:
        self.binaries = _binaries()
        self.user = _system_user(self.binaries)
        self.root = Path(tempfile.mkdtemp(prefix="anjian-fault-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        subprocess.run(  # noqa: S603 - our own arguments
            [
                str(self.binaries / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            user=self.user,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def _spawn(self) -> subprocess.Popen[bytes]:
        log = (self.root / "server.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [
                str(self.binaries / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.root),
                "-c",
                "max_connections=60",
            ],
            user=self.user,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes every backend
        )
        log.close()
        return process

    async def start(self, within: float = 60.0) -> None:
        self.process = self._spawn()
        deadline = time.monotonic() + within
        while True:
            try:
                conn = await asyncpg.connect(self.server_url, timeout=2)
                await conn.close()
                return
            except (OSError, asyncpg.PostgresError, TimeoutError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(self.log_tail()) from None
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the postmaster and all its backends at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""
