"""Write the OpenAPI document to ``openapi.json`` (``make openapi``); no database is needed.

``python -m scripts.export_openapi [--output openapi.json] [--check]``: ``--check`` exits 1
when the committed file differs from what the code generates.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.config import Settings
from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]


def render() -> str:
    app = create_app(Settings())  # no database needed: nothing connects until start-up
    return json.dumps(app.openapi(), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="Export the OpenAPI document.")
    parser.add_argument("--output", type=Path, default=ROOT / "openapi.json")
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args()

    document = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != document:
            print(f"{args.output} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(document, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
