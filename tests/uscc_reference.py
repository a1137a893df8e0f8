"""An implementation of the GB 32100-2015 check character that shares nothing with the app's.

The standard defines the check character of the unified social credit code as
``C18 = 31 - MOD(Σ Ci × Wi, 31)`` (31 written as 0) over the first 17 characters, with the
character values 0-9, A=10 … Y=30 in the code's alphabet (no I, O, S, V, Z) and the weights
``Wi = 3^(i-1) MOD 31``. The tests build their codes with this, and the real published codes in
``tests/enterprises/test_uscc_vectors.py`` pin it, so a wrong formula in the app fails them
instead of agreeing with itself.
"""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FORBIDDEN = "IOSVZ"


def reference_check_character(first17: str) -> str:
    assert len(first17) == 17
    total = sum(ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


def random_uscc(county: str, rng: random.Random | None = None) -> str:
    """A valid code of a legal person (``91``) registered in ``county``."""
    pick = (rng or random).choice
    body = "91" + county + "".join(pick(ALPHABET) for _ in range(9))
    return body + reference_check_character(body)
