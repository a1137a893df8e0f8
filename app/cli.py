"""Command line: ``python -m app.cli token --role … --region … [--department …] [--enterprise …]``.

Mints a development token (HS256, signed with ``ANJIAN_DEV_JWT_SECRET``) and prints it. In
development, without that variable, it uses the secret ``make run`` generated and gave the server
(``.data/dev-jwt-secret``), so the commands ``make run`` prints work as printed. Refuses, with exit
status 2, when no development secret is found (production never has one).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from app.auth.principal import Role
from app.auth.tokens import mint_dev_token
from app.config import Settings

_TOKEN_ROLES = [r.value for r in Role if r is not Role.system]  # system clients use API keys
# Where `make run` (scripts/dev.py) keeps the development secret it gives the server.
SECRET_FILE = Path(__file__).resolve().parents[1] / ".data" / "dev-jwt-secret"


def _with_dev_secret(settings: Settings) -> Settings:
    """In development, the secret `make run` generated when the variable is not set."""
    if settings.dev_jwt_secret or settings.environment != "development":
        return settings
    try:
        secret = SECRET_FILE.read_text().strip()
    except OSError:
        return settings
    return settings.model_copy(update={"dev_jwt_secret": secret}) if secret else settings


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a UUID: {value!r}") from exc


def _region(value: str) -> str:
    if not value.isdigit() or not 2 <= len(value) <= 12:
        raise argparse.ArgumentTypeError(f"not a region code (2-12 digits): {value!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="Anjian utilities")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a development JWT (HS256)")
    token.add_argument("--role", required=True, choices=_TOKEN_ROLES)
    token.add_argument("--region", type=_region, help="region code, e.g. 330106")
    token.add_argument("--department", type=_uuid, help="department id")
    token.add_argument("--enterprise", type=_uuid, help="enterprise id (enterprise users)")
    token.add_argument("--sub", help="subject (default: dev-<role>)")
    token.add_argument("--ttl-hours", type=int, default=12, help="lifetime (default 12)")
    return parser


def token_claims(args: argparse.Namespace) -> dict[str, str]:
    claims = {"sub": args.sub or f"dev-{args.role}", "role": args.role}
    for claim, value in (
        ("region_code", args.region),
        ("department_id", args.department),
        ("enterprise_id", args.enterprise),
    ):
        if value:
            claims[claim] = value
    return claims


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"error: invalid settings: {exc}", file=sys.stderr)
        return 2
    settings = _with_dev_secret(settings)
    if not settings.dev_jwt_secret:
        print(
            "error: ANJIAN_DEV_JWT_SECRET is not set: development tokens are disabled "
            "(set it in development only; `make run` keeps one in .data/dev-jwt-secret)",
            file=sys.stderr,
        )
        return 2
    if args.role == Role.enterprise_user.value and not args.enterprise:
        print("error: an enterprise_user token needs --enterprise", file=sys.stderr)
        return 2
    print(mint_dev_token(settings, token_claims(args), ttl_seconds=args.ttl_hours * 3600))
    return 0


if __name__ == "__main__":
    sys.exit(main())
