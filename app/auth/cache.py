"""A short-lived, per-process cache of verified credentials → Principal.

Verifying a token or key costs a signature check and one or two queries on every request; a
few seconds of caching removes that from the hot path. The price is that deactivating a person
or revoking a key takes effect after at most ``ANJIAN_PRINCIPAL_CACHE_SECONDS`` (0 disables).
"""

from __future__ import annotations

import time

from app.auth.principal import Principal

_MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, credential: str) -> Principal | None:
        if self.ttl <= 0:
            return None
        entry = self._entries.get(credential)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, credential: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[credential] = (time.monotonic() + self.ttl, principal)
