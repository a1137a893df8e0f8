"""Print every setting as a Markdown table (name, default, meaning) for the README."""

from __future__ import annotations

from pydantic_core import PydanticUndefined

from app.config import Settings


def main() -> None:
    print("| name | default | meaning |")
    print("|---|---|---|")
    for name, field in Settings.model_fields.items():
        default = field.default
        if default is PydanticUndefined and field.default_factory is not None:
            default = field.default_factory()  # type: ignore[call-arg]
        shown = "" if default in (None, "") else f"`{default}`"
        if name in ("cursor_secret", "public_report_key"):
            shown = "development value (refused in production)"
        meaning = (field.description or "").replace("|", "\\|")
        print(f"| `ANJIAN_{name.upper()}` | {shown} | {meaning} |")


if __name__ == "__main__":
    main()
