"""``python -m app.cli token``: mints development tokens, refuses without a secret."""

from __future__ import annotations

from typing import Any

import pytest

from app import cli
from app.auth.tokens import TokenVerifier
from app.cli import main
from app.config import Settings

SECRET = "cli-test-secret-0123456789abcdef0123456789"


def test_refuses_without_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ANJIAN_DEV_JWT_SECRET", raising=False)
    monkeypatch.setattr(cli, "SECRET_FILE", cli.SECRET_FILE.with_name("no-such-secret"))
    assert main(["token", "--role", "admin"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "ANJIAN_DEV_JWT_SECRET is not set" in captured.err


def test_mints_a_verifiable_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANJIAN_DEV_JWT_SECRET", SECRET)
    department = "01890000-0000-7000-8000-000000000001"
    assert (
        main(
            [
                "token",
                "--role",
                "inspector",
                "--region",
                "330106",
                "--department",
                department,
                "--sub",
                "dev-li",
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip()
    claims = TokenVerifier(Settings(dev_jwt_secret=SECRET)).verify(token)
    assert claims["sub"] == "dev-li"
    assert claims["role"] == "inspector"
    assert claims["region_code"] == "330106"
    assert claims["department_id"] == department


def test_rejects_bad_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANJIAN_DEV_JWT_SECRET", SECRET)
    for argv in (
        ["token", "--role", "system"],
        ["token", "--role", "admin", "--region", "x"],
        ["token", "--role", "admin", "--department", "nope"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    assert main(["token", "--role", "enterprise_user"]) == 2


def test_development_finds_the_secret_make_run_generated(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    """`make run` prints `.venv/bin/python -m app.cli token --role admin`: it works as printed,
    with the secret `make run` keeps in .data/dev-jwt-secret (development only)."""
    secret_file = tmp_path / "dev-jwt-secret"
    secret_file.write_text(SECRET + "\n")
    monkeypatch.setattr(cli, "SECRET_FILE", secret_file)
    monkeypatch.delenv("ANJIAN_DEV_JWT_SECRET", raising=False)
    monkeypatch.setenv("ANJIAN_ENVIRONMENT", "development")
    assert main(["token", "--role", "admin"]) == 0
    token = capsys.readouterr().out.strip()
    assert TokenVerifier(Settings(dev_jwt_secret=SECRET)).verify(token)["role"] == "admin"
    monkeypatch.setenv("ANJIAN_ENVIRONMENT", "test")  # only in development
    assert main(["token", "--role", "admin"]) == 2
