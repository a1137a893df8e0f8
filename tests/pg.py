"""Find a PostgreSQL server for the suite: TEST_DATABASE_URL, else 127.0.0.1:5432, else embedded."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path
from typing import Any

_embedded: Any = None


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def server_url() -> str:
    """A URL (database ``postgres``) on a server where we may create databases."""
    global _embedded
    if url := os.environ.get("TEST_DATABASE_URL"):
        return url
    if _port_open("127.0.0.1", 5432):
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    import pgserver

    root = Path(
        os.environ.get("ANJIAN_TEST_PGDATA", Path(tempfile.gettempdir()) / "anjian-test-pg")
    )
    _embedded = pgserver.get_server(str(root), cleanup_mode="stop")
    uri: str = _embedded.get_uri()
    return uri


def with_database(url: str, database: str) -> str:
    """Swap the database name in a URL (keeps ``?host=`` for unix sockets)."""
    base, _, query = url.partition("?")
    head, _, _ = base.rpartition("/")
    return f"{head}/{database}" + (f"?{query}" if query else "")
