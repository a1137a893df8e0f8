"""Where attachment bytes live: a small interface, with a local directory as the default.

Services only see ``AttachmentStorage``; an object-storage backend implements the same three
methods and is returned by ``storage_for`` without touching the services.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from app.config import Settings

CHUNK_BYTES = 64 * 1024


class AttachmentStorage(Protocol):
    async def save(self, key: str, data: bytes) -> None: ...

    def stream(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


class LocalDirectoryStorage:
    """Files under ``root`` (``settings.attachment_dir``), written atomically (temp + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("storage key escapes the storage directory")
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)

    async def save(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)


@lru_cache(maxsize=8)
def _local(root: Path) -> LocalDirectoryStorage:
    return LocalDirectoryStorage(root)


def storage_for(settings: Settings) -> AttachmentStorage:
    """The configured backend (only the local directory for now)."""
    return _local(Path(settings.attachment_dir))
