"""Summarise a mutmut run (``make mutation``): killed ÷ tested per guard, and every survivor.

Reads the ``mutants/**/*.meta`` files mutmut writes. Only the mutants named by the guard globs
(the same ones ``make mutation`` runs) are counted; a mutant listed in ``EQUIVALENT`` (README,
*Mutation testing*) is left out of the figure and printed apart.

    python -m scripts.mutation_report [--min 90] [GLOB ...]
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import io
import json
import sys
import tokenize
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

# The guards: the functions that decide who may see or do what, and what a request may carry.
GUARDS = (
    "app.enterprises.uscc.*",
    "app.core.cursors.*",
    "app.core.concurrency.*",
    "app.core.timebounds.*",
    "app.auth.scope.*",
    "app.auth.cache.*",
    "app.auth.principal.*",
    "app.hazards.service.common.x_authorize__*",
    "app.hazards.service.common.x_check_transition__*",
)

# Mutants that cannot change behaviour (see README, *Mutation testing*), by name.
EQUIVALENT: dict[str, str] = {}

KILLED = {1, 3, 36, 24, -24, 152, 255, 37}  # failed tests, pytest internal error, timeouts
SURVIVED = {0}


@cache
def _functions(path: Path) -> dict[str, str]:
    """Every function of a mutated module by name (mutants and ``…__mutmut_orig``)."""
    source = path.read_text()
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _tokens(source: str) -> list[tuple[int, str]]:
    return [
        (t.type, t.string)
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    ]


def _human(text: str) -> bool:
    """A string literal meant for people: words with spaces, or Chinese text."""
    return " " in text.strip("\"'fb") or any(ord(c) > 0x2E7F for c in text)


def message_only(root: Path, name: str) -> bool:
    """The mutant changes only the text of a human-readable message (zh-CN or en): not a guard,
    whose contract is the stable ``code`` the tests pin. Counted apart, not in the figure."""
    module, _, function = name.rpartition(".")
    path = root / (module.replace(".", "/") + ".py")
    if not path.exists():
        return False
    functions = _functions(path)
    original = functions.get(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")
    mutant = functions.get(function)
    if original is None or mutant is None:
        return False
    head = function.rsplit("__mutmut_", 1)[0]
    a = _tokens(original.replace(head + "__mutmut_orig", "F", 1))
    b = _tokens(mutant.replace(function, "F", 1))
    if len(a) != len(b):
        return False
    changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return bool(changed) and all(
        x[0] == y[0] == tokenize.STRING and _human(x[1]) for x, y in changed
    )


def load(root: Path) -> dict[str, int | None]:
    results: dict[str, int | None] = {}
    for meta in root.rglob("*.meta"):
        results.update(json.loads(meta.read_text())["exit_code_by_key"])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("globs", nargs="*", default=list(GUARDS))
    parser.add_argument("--min", type=float, default=0.0, help="fail below this percentage")
    parser.add_argument("--root", type=Path, default=Path("mutants"))
    args = parser.parse_args(argv)
    results = load(args.root)
    by_guard: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    messages: list[str] = []
    for name, code in sorted(results.items()):
        guard = next((g for g in args.globs if fnmatch.fnmatch(name, g)), None)
        if guard is None:
            continue
        if name in EQUIVALENT:
            by_guard[guard]["equivalent"] += 1
        elif message_only(args.root, name):
            by_guard[guard]["message"] += 1
            if code in SURVIVED:
                messages.append(name)
        elif code in KILLED:
            by_guard[guard]["killed"] += 1
        elif code in SURVIVED:
            by_guard[guard]["survived"] += 1
            survivors.append(name)
        elif code is None:
            by_guard[guard]["not run"] += 1
        else:
            by_guard[guard][f"other ({code})"] += 1
            survivors.append(f"{name} (exit {code})")
    total: Counter[str] = Counter()
    print(f"{'guard':58} {'killed':>7} {'survived':>8} {'not run':>7}")
    for guard in args.globs:
        c = by_guard.get(guard, Counter())
        total.update(c)
        print(f"{guard:58} {c['killed']:7} {c['survived']:8} {c['not run']:7}")
    tested = (
        total["killed"]
        + total["survived"]
        + sum(v for k, v in total.items() if k.startswith("other"))
    )
    share = 100.0 * total["killed"] / tested if tested else 0.0
    print(f"\nkilled {total['killed']} of {tested} tested mutants: {share:.1f} %", end="")
    print(
        f" ({total['not run']} not run; left out: {total['equivalent']} equivalent, "
        f"{total['message']} that change only a message's text, {len(messages)} of them alive)"
    )
    if survivors:
        print("\nsurviving mutants (`mutmut show NAME` prints the diff):")
        for name in survivors:
            print("  " + name)
    if EQUIVALENT:
        print("\nequivalent mutants (not counted):")
        for name, why in EQUIVALENT.items():
            print(f"  {name}: {why}")
    return 0 if share >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
