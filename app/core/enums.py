"""Registry of every API enum with zh-CN and en labels (served at /api/v1/reference/enums)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def zh_label(name: str, value: str) -> str:
    """The Chinese label of an enum value, with the value: ``已上报（reported）``."""
    labels = REGISTRY.get(name)
    label = labels[1].get(value) if labels else None
    return f"{label[1]}（{value}）" if label else value


def zh_labels(name: str, values: Iterable[str]) -> str:
    return "、".join(zh_label(name, v) for v in values)
