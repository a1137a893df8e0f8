"""Unified social credit code (统一社会信用代码, GB 32100-2015) validation."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_VALUES = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class UsccError(ValueError):
    def __init__(self, rule: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.rule, self.en, self.zh = rule, en, zh


def check_character(first17: str) -> str:
    total = sum(_VALUES[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def authority_region(code: str) -> str:
    """The region code of the registering authority (positions 3-8, GB/T 2260) as the region
    table spells it: a county (``330106``), a prefecture (``440300`` → ``4403``) or a province
    (``110000`` → ``11``). Large enterprises are registered at prefecture or province level."""
    part = code[2:8]
    if part.endswith("0000"):
        return part[:2]
    if part.endswith("00"):
        return part[:4]
    return part


def validate_uscc(code: str) -> str:
    """Return the normalised code, or raise UsccError naming the rule that failed.

    The region part (positions 3-8, see ``authority_region``) is checked against the region
    table by the caller.
    """
    value = code.strip().upper()
    if len(value) != 18:
        raise UsccError(
            "uscc_length", "A credit code has 18 characters", "统一社会信用代码应为 18 位"
        )
    bad = sorted({c for c in value if c not in _VALUES})
    if bad:
        raise UsccError(
            "uscc_charset",
            f"Characters not allowed in a credit code: {''.join(bad)}",
            f"统一社会信用代码含有不允许的字符：{''.join(bad)}",
        )
    if not value[2:8].isdigit():
        raise UsccError(
            "uscc_region", "Positions 3-8 must be a county code", "第 3-8 位应为县级行政区划代码"
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise UsccError(
            "uscc_check_character",
            f"Wrong check character: expected {expected}",
            f"校验码错误，应为 {expected}",
        )
    return value
