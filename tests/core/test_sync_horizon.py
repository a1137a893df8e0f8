"""The horizon and the sync cursor's next position, on their edge cases (pure functions)."""

from __future__ import annotations

import random

import pytest

from app.core.horizon import Horizon, compute, widen
from app.core.sync import MAX_SEQ, next_position

EPOCH = 1 << 32


def test_widen_the_reported_case() -> None:
    # a transaction that took its id after the snapshot: above xmax, never an epoch below
    assert widen(214456, 214332) == 214456
    assert compute(214300, 214332, [214456]).below == 214332


def test_widen_is_nearest_and_never_negative() -> None:
    assert widen(5, 3 * EPOCH + 10) == 3 * EPOCH + 5
    assert widen(EPOCH - 5, 3 * EPOCH + 10) == 3 * EPOCH - 5  # before the wrap-around
    assert widen(10, 3 * EPOCH - 5) == 3 * EPOCH + 10  # just after it
    assert widen(10, 10) == 10
    assert widen(EPOCH - 1, 3) == EPOCH - 1  # epoch 0 has nothing below it
    with pytest.raises(ValueError, match="32-bit"):
        widen(EPOCH, 10)
    with pytest.raises(ValueError, match="32-bit"):
        widen(-1, 10)


def test_widen_round_trips_every_id_within_half_an_epoch() -> None:
    rng = random.Random(18)
    for _ in range(10_000):
        reference = rng.randrange(EPOCH, 50 * EPOCH)
        true_id = reference + rng.randrange(-(1 << 31) + 1, 1 << 31)
        assert widen(true_id % EPOCH, reference) == true_id


def test_horizon_bounds() -> None:
    # nothing running: everything below xmax has finished
    assert compute(100, 120, []) == Horizon(120)
    # the oldest running id of this database
    assert compute(100, 120, [115, 110]).below == 110
    # ids at or above xmax are ignored, below xmin cannot be running
    assert compute(100, 120, [120, 125, 99]).below == 120
    # across an epoch boundary, with 32-bit ids from pg_stat_activity
    xmax = 7 * EPOCH + 3
    assert compute(7 * EPOCH - 20, xmax, [EPOCH - 10, 1]).below == 7 * EPOCH - 10
    assert compute(7 * EPOCH - 20, xmax, [3, 2]).below == 7 * EPOCH + 2
    with pytest.raises(ValueError, match="above xmax"):
        compute(10, 5, [])


def test_horizon_and_the_callers_own_transaction() -> None:
    # own id below the others: the horizon stops there and the own rows are safe to pass
    h = compute(100, 120, [115], own=105)
    assert h == Horizon(105, 105)
    assert h.own_rows_safe
    # something older still runs: own rows are not returned yet
    h = compute(100, 120, [101], own=105)
    assert h.below == 101
    assert not h.own_rows_safe
    # own id taken after the last completed one (own >= xmax): ids below it are listed too
    h = compute(100, 120, [], own=125)
    assert h == Horizon(125, 125)
    assert h.own_rows_safe
    assert compute(100, 120, [122], own=125).below == 122
    assert compute(100, 120, [126], own=125).below == 125


def test_horizon_is_random_safe() -> None:
    """Whatever the running set, the horizon lies in [xmin, max(xmax, own)] and is never above
    a running id of this database that was taken before the snapshot."""
    rng = random.Random(1)
    for _ in range(5_000):
        xmax = rng.randrange(EPOCH, 9 * EPOCH)
        xmin = xmax - rng.randrange(0, 5000)
        running = [xmax + rng.randrange(-6000, 6000) for _ in range(rng.randrange(0, 6))]
        h = compute(xmin, xmax, [r % EPOCH for r in running])
        assert xmin <= h.below <= xmax
        for r in running:
            if xmin <= r < xmax:
                assert h.below <= r


def test_next_position_never_runs_backwards() -> None:
    given = (1000, 50)
    # the horizon fell behind the cursor (another session's older transaction): stay
    assert next_position(given, [], 10, Horizon(900)) == given
    assert next_position(given, [], 10, Horizon(-5)) == given
    # moves to just below the horizon when nothing is pending
    assert next_position(given, [], 10, Horizon(2000)) == (1999, MAX_SEQ)
    # a full page ends at its last returned row
    stamps = [(1001, 1), (1002, 2), (1003, 3)]
    assert next_position(given, stamps, 2, Horizon(5000)) == (1002, 2)
    # a short page: past every row and up to the horizon
    assert next_position(given, stamps, 5, Horizon(1003)) == (1003, 3)
    rng = random.Random(7)
    for _ in range(2_000):
        pos = (rng.randrange(0, 10_000), rng.randrange(0, MAX_SEQ))
        below = Horizon(rng.randrange(-10, 12_000))
        rows = sorted(
            (pos[0] + rng.randrange(1, 500), rng.randrange(0, 100))
            for _ in range(rng.randrange(0, 5))
        )
        assert next_position(pos, rows, rng.randrange(1, 4), below) >= pos
