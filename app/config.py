"""Service settings: one object, read from the environment (prefix ``ANJIAN_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_CURSOR_SECRET = "development-only-cursor-secret"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANJIAN_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("ANJIAN_DATABASE_URL", "DATABASE_URL"),
        description="PostgreSQL URL; postgresql:// is rewritten to postgresql+asyncpg://",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=5, ge=0, le=200)
    log_level: str = "INFO"

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_attachment_bytes: int = Field(default=20 * 1_048_576, ge=1024)
    attachment_dir: Path = Path(".data/attachments")

    cursor_secret: str = _DEV_CURSOR_SECRET
    page_limit_default: int = Field(default=50, ge=1)
    page_limit_max: int = Field(default=200, ge=1)
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    idempotency_lock_seconds: int = Field(default=60, ge=1)
    sync_retention_days: int = Field(default=90, ge=1)

    jwt_issuer: str = "anjian-dev"
    jwt_audience: str = "anjian"
    jwt_algorithms: list[str] = ["RS256", "ES256"]
    jwks_file: Path | None = None
    jwks_url: str | None = None
    jwks_cache_seconds: int = Field(default=300, ge=1)
    dev_jwt_secret: str | None = Field(
        default=None, description="HS256 secret for development tokens; never in production"
    )

    # --- identity settings (people, api keys, audit) ---

    # --- hazards settings ---
    major_acceptance_review_days: int = Field(default=10, ge=1)

    # --- visits settings ---
    visit_checkin_radius_m: float = Field(default=500.0, ge=1)
    lookback_after_days: int = Field(default=30, ge=1)

    # --- responsibility settings ---

    # --- events, webhooks and worker settings ---

    # --- statistics, exports and imports settings ---

    # --- public reports settings ---

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str) -> str:
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        if value and not value.startswith("postgresql+asyncpg://"):
            raise ValueError("ANJIAN_DATABASE_URL must be a postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _production_safety(self) -> Settings:
        if self.environment == "production":
            if self.cursor_secret == _DEV_CURSOR_SECRET or len(self.cursor_secret) < 32:
                raise ValueError("ANJIAN_CURSOR_SECRET must be set (32+ characters) in production")
            if self.dev_jwt_secret:
                raise ValueError("ANJIAN_DEV_JWT_SECRET must not be set in production")
            if not (self.jwks_file or self.jwks_url):
                raise ValueError("ANJIAN_JWKS_FILE or ANJIAN_JWKS_URL is required in production")
        if self.page_limit_default > self.page_limit_max:
            raise ValueError("ANJIAN_PAGE_LIMIT_DEFAULT exceeds ANJIAN_PAGE_LIMIT_MAX")
        return self

    @property
    def allowed_jwt_algorithms(self) -> list[str]:
        algorithms = [a for a in self.jwt_algorithms if a in ("RS256", "ES256")]
        if self.dev_jwt_secret:
            algorithms.append("HS256")
        return algorithms


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL (or ANJIAN_DATABASE_URL) is not set")
    return settings
