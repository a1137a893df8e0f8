"""Service settings: one object, read from the environment (prefix ``ANJIAN_``)."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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

    # --- process, metrics and operations settings (python -m app.serve, the worker) ---
    host: str = Field(
        default="127.0.0.1",
        description="Address python -m app.serve listens on (the image sets 0.0.0.0)",
    )
    port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        description="Port python -m app.serve listens on; the image's health check asks it",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="API processes started by python -m app.serve (the image sets 2: one per core)",
    )
    graceful_shutdown_seconds: int = Field(
        default=8,
        ge=1,
        le=600,
        description="After SIGTERM, in-flight requests get this long; keep it below the stop "
        "timeout (Docker 10 s, Kubernetes 30 s)",
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        description="Bearer token that GET /metrics requires (16+ characters); unset: no "
        "/metrics (404)",
    )
    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the worker's Prometheus metrics (0: off)"
    )
    worker_metrics_address: str = Field(
        default="127.0.0.1",
        description="Address of the worker's metrics port (0.0.0.0 in a container)",
    )
    worker_heartbeat_file: Path = Field(
        default=Path(tempfile.gettempdir()) / "anjian-worker.heartbeat",
        description="File the worker touches every few seconds (its health check reads it)",
    )
    worker_heartbeat_max_age_seconds: int = Field(
        default=60, ge=5, description="A worker whose heartbeat is older is unhealthy"
    )
    trust_forwarded_for: bool = Field(
        default=False,
        description="Take the client address from X-Forwarded-For (only behind a proxy that "
        "overwrites it); rate limits and audit rows use this address",
    )

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_attachment_bytes: int = Field(default=20 * 1_048_576, ge=1024)
    attachment_dir: Path = Path(".data/attachments")

    cursor_secret: str = _DEV_CURSOR_SECRET
    page_limit_default: int = Field(default=50, ge=1)
    page_limit_max: int = Field(default=200, ge=1)
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    idempotency_lock_seconds: int = Field(default=60, ge=1)
    transaction_attempts: int = Field(
        default=4,
        ge=1,
        le=20,
        description="A write request whose transaction PostgreSQL aborts (deadlock, "
        "serialization failure, a client id taken meanwhile) or whose connection is lost "
        "before its commit runs again as a whole, at most this many times in all",
    )
    unavailable_retry_after_seconds: int = Field(
        default=5,
        ge=1,
        description="Retry-After of the 503 answered while the database is unreachable",
    )
    sync_retention_days: int = Field(default=90, ge=1)

    jwt_issuer: str = "anjian-dev"
    jwt_audience: str = "anjian"
    jwt_algorithms: list[str] = ["RS256", "ES256"]
    jwks_file: Path | None = None
    jwks_url: str | None = None
    jwks_cache_seconds: int = Field(default=300, ge=1)
    principal_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How long a verified token or API key is remembered per process (0: never); "
        "every hit is re-validated against the person/key/department rows (one cheap query), "
        "so deletion, deactivation and revocation take effect on the next request everywhere",
    )
    idp_claims_without_record: bool = Field(
        default=True,
        description="A subject that has never had a person record is accepted on its token's "
        "claims (role, region, department, enterprise): for an IdP that carries authoritative "
        "claims. False: such a subject gets 401 subject_unknown. A subject with a record is "
        "always governed by the record",
    )
    dev_jwt_secret: str | None = Field(
        default=None, description="HS256 secret for development tokens; never in production"
    )

    # --- identity settings (people, api keys, audit) ---
    api_key_touch_seconds: int = Field(
        default=60,
        ge=0,
        description="last_used_at of an API key is rewritten at most this often (0: every call)",
    )
    audit_page_limit_max: int = Field(default=500, ge=1, description="Largest audit-events page")

    # --- hazards settings ---
    major_acceptance_review_days: int = Field(default=10, ge=1)
    hazard_extension_lead_days: int = Field(
        default=10, ge=0, description="An extension is asked at least this many days before"
    )
    hazard_listing_progress_interval_days: int = Field(default=90, ge=1)
    hazard_closure_penalties_180d: int = Field(default=3, ge=1)
    hazard_closure_penalties_365d: int = Field(default=4, ge=1)
    hazard_power_cut_notice_hours: int = Field(default=24, ge=0)
    hazard_nearby_max_radius_m: float = Field(default=50_000.0, ge=1)

    # --- visits settings ---
    visit_checkin_radius_m: float = Field(default=500.0, ge=1)
    lookback_after_days: int = Field(default=30, ge=1)

    # --- responsibility settings ---
    # Gap report: assignments ending within this many days are "expiring".
    responsibility_expiring_within_days: int = Field(default=30, ge=1)
    # Required visit frequency (days between visits) filled in when an assignment of the kind
    # gives none; stored on the assignment, so a later change does not rewrite history.
    # Hazchem major-hazard-source roles: main and technical at least quarterly, operations weekly.
    responsibility_default_visit_days: dict[str, int] = {
        "hazchem_main_responsible": 90,
        "hazchem_technical_lead": 90,
        "hazchem_operations_lead": 7,
        "leader_liaison": 90,
    }
    # Rows per gap kind in GET /responsibility-gaps.
    responsibility_gap_limit: int = Field(default=200, ge=1, le=5000)

    # --- events, webhooks and worker settings ---
    event_retention_days: int = Field(
        default=90, ge=1, description="Feed cursor lifetime; older outbox events are pruned"
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_claim_seconds: int = Field(
        default=60, ge=5, description="A worker's claim on a delivery expires after this"
    )
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_retry_max_interval_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_max_attempts: int = Field(
        default=14, ge=1, le=50, description="14 attempts with the defaults span > 24 h"
    )
    webhook_allowed_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs allowed as targets although private/loopback/link-local "
        "(e.g. 10.0.0.0/8 for a government intranet receiver)",
    )
    webhook_secret_rotation_hours: int = Field(
        default=24, ge=0, description="Old secrets keep signing this long"
    )
    webhook_batch_size: int = Field(default=50, ge=1, le=1000)
    webhook_concurrency: int = Field(default=8, ge=1, le=100)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    clock_job_interval_seconds: int = Field(default=300, ge=1)
    clock_reminder_working_days: int = Field(default=3, ge=0, le=60)
    clock_escalation_steps: list[
        tuple[int, Literal["supervising_department", "territorial_official", "listing_suggestion"]]
    ] = Field(
        default=[
            (0, "supervising_department"),
            (7, "territorial_official"),
            (30, "listing_suggestion"),
        ],
        description="(days after the deadline, target) pairs of the overdue escalation ladder",
    )
    clock_reconfirm_days: int = Field(default=90, ge=1)
    clock_acceptance_review_days_by_sector: dict[str, int] = Field(
        default={"coal": 20},
        description="Acceptance review period of a major hazard per sector (others: "
        "ANJIAN_MAJOR_ACCEPTANCE_REVIEW_DAYS)",
    )

    # --- statistics, exports and imports settings ---
    export_batch_rows: int = Field(
        default=2000, ge=10, le=50_000, description="Rows per keyset batch of a streamed export"
    )
    export_tmp_dir: Path | None = Field(
        default=None, description="Where XLSX exports are built (temp dir)"
    )
    export_time_zone: str = Field(
        default="Asia/Shanghai",
        description="The county's time zone: times in exports are written in it (IANA name)",
    )
    import_max_rows: int = Field(default=200_000, ge=1, description="Rows one import may hold")
    import_inline_max_rows: int = Field(
        default=500,
        ge=0,
        description="Imports up to this many rows run inside the request; "
        "larger ones are queued for the worker",
    )
    import_batch_rows: int = Field(default=500, ge=1, description="Rows per committed batch")
    import_lease_seconds: int = Field(
        default=300, ge=10, description="A running job not heard from is reclaimed"
    )

    # --- public reports settings ---
    # Reporter identity key: base64 of 32 random bytes (AES-256-GCM). The default is for
    # development only: app.public_reports refuses it at startup when environment=production.
    public_report_key: str = Field(
        default="ZGV2LW9ubHktcHVibGljLXJlcG9ydC1rZXktMzJieXQ=",
        description="base64 of 32 bytes; encrypts reporter identities (举报人信息)",
    )
    public_report_close_days: int = Field(default=60, ge=1)
    public_report_extension_days: int = Field(default=30, ge=1)
    public_report_reply_days: int = Field(default=10, ge=1)
    public_report_duplicate_radius_m: float = Field(default=200.0, ge=0)
    public_report_duplicate_days: int = Field(default=30, ge=0)
    public_report_reward_percent: float = Field(default=15.0, gt=0, le=100)
    public_report_reward_min: int = Field(default=3000, ge=0)
    public_report_reward_max: int = Field(default=300000, ge=0)
    public_report_rate_window_seconds: int = Field(default=3600, ge=1)
    public_report_intake_per_window: int = Field(default=10, ge=1)
    public_report_receipt_per_window: int = Field(default=60, ge=1)
    public_report_max_content_chars: int = Field(default=5000, ge=100)
    public_report_max_photos: int = Field(default=9, ge=0)
    public_report_remind_days: int = Field(default=7, ge=0, description="Reminder before due")
    public_report_max_photo_bytes: int = Field(default=10 * 1_048_576, ge=1024)
    public_report_photo_per_window: int = Field(default=30, ge=1)

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str) -> str:
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        if value and not value.startswith("postgresql+asyncpg://"):
            raise ValueError("ANJIAN_DATABASE_URL must be a postgresql:// URL")
        return value

    @field_validator("export_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"ANJIAN_EXPORT_TIME_ZONE: unknown time zone {value!r}") from exc
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
    """Settings from the environment. The database URL is checked where a connection is made
    (``app.db.create_engine``): building the application, or its OpenAPI document, needs none."""
    return Settings()
