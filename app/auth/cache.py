"""A per-process cache of verified credentials → Principal, re-validated on every hit.

Verifying a token or key costs a signature check, a few queries and a short write transaction
(an API key's last use); the cache removes that from the hot path. Each entry keeps the
*stamp* of the rows the principal was built from (``repository.credential_stamp``: the person's
version, activity and deletion, the department's version, the key's revocation); a hit is used
only while one cheap indexed query returns the same stamp. So deleting or deactivating a person,
changing its roles or unit, or revoking a key takes effect on the very next request in every
process, whatever ``ANJIAN_PRINCIPAL_CACHE_SECONDS`` (the entry's lifetime; 0 disables).
"""

from __future__ import annotations

import time
from typing import Any

from app.auth.principal import Principal

_MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal, tuple[Any, ...]]] = {}

    def get(self, credential: str) -> tuple[Principal, tuple[Any, ...]] | None:
        if self.ttl <= 0:
            return None
        entry = self._entries.get(credential)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1], entry[2]

    def put(self, credential: str, principal: Principal, stamp: tuple[Any, ...]) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[credential] = (time.monotonic() + self.ttl, principal, stamp)

    def drop(self, credential: str) -> None:
        self._entries.pop(credential, None)
