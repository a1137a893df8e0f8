"""Registry of every API enum with zh-CN and en labels (served at /api/v1/reference/enums)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=type[StrEnum])

REGISTRY: dict[str, tuple[type[StrEnum], dict[str, tuple[str, str]]]] = {}


def labelled(name: str, labels: dict[str, tuple[str, str]]) -> Callable[[E], E]:
    """Class decorator: ``labels`` maps each value to (English, Chinese)."""

    def register(enum_cls: E) -> E:
        missing = {m.value for m in enum_cls} - set(labels)
        if missing:
            raise ValueError(f"enum {name} lacks labels for {sorted(missing)}")
        REGISTRY[name] = (enum_cls, labels)
        return enum_cls

    return register
