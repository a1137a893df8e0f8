"""Print every setting as a Markdown table (name, default, meaning) for the README."""

from __future__ import annotations

from pydantic_core import PydanticUndefined

from app.config import Settings

# Meanings for the settings whose Field carries no description.
MEANINGS = {
    "environment": "development, test or production (production refuses development secrets)",
    "db_pool_size": "database connections per process",
    "db_max_overflow": "extra connections per process under load",
    "log_level": "Python log level",
    "max_body_bytes": "JSON request body limit (413 above)",
    "max_attachment_bytes": "upload limit (413 above)",
    "attachment_dir": "local directory of the attachment storage",
    "cursor_secret": "HMAC key signing page and sync cursors (32+ characters in production)",
    "page_limit_default": "page size when `limit` is not given",
    "page_limit_max": "largest `limit`",
    "idempotency_ttl_hours": "how long a POST response stays replayable",
    "idempotency_lock_seconds": "after this an unfinished Idempotency-Key claim may be taken over",
    "sync_retention_days": "age after which a `changed_since` cursor is 410",
    "jwt_issuer": "required `iss` of bearer tokens",
    "jwt_audience": "required `aud` of bearer tokens",
    "jwt_algorithms": "allowed asymmetric algorithms (HS256 only with a development secret)",
    "jwks_file": "JWKS file with the signing keys (by `kid`)",
    "jwks_url": "JWKS URL with the signing keys (cached, refreshed on an unknown `kid`)",
    "jwks_cache_seconds": "JWKS cache lifetime",
    "major_acceptance_review_days": "days within which a major hazard's acceptance is reviewed",
    "hazard_listing_progress_interval_days": "default progress-report interval of a listed hazard",
    "hazard_closure_penalties_180d": "penalties within 180 days that allow a closure request",
    "hazard_closure_penalties_365d": "penalties within a year that allow a closure request",
    "hazard_power_cut_notice_hours": "notice before a power cut (escalation)",
    "hazard_nearby_max_radius_m": "largest radius of `/hazards/nearby`",
    "visit_checkin_radius_m": "check-in farther than this from the target needs a reason",
    "lookback_after_days": "days after closing a major hazard when the look-back visit is due",
    "responsibility_expiring_within_days": "window of the `expiring` responsibility gap",
    "responsibility_default_visit_days": "required visit interval per responsibility kind",
    "responsibility_gap_limit": "most rows per gap kind",
    "webhook_timeout_seconds": "timeout of one webhook delivery",
    "webhook_retry_base_seconds": "first retry delay (exponential, with jitter)",
    "webhook_retry_max_interval_seconds": "longest retry delay",
    "webhook_batch_size": "deliveries claimed per worker round",
    "webhook_concurrency": "deliveries in flight per worker",
    "worker_poll_seconds": "worker poll interval",
    "clock_job_interval_seconds": "how often each clock job runs",
    "clock_reminder_working_days": "working days before a deadline when reminders go out",
    "clock_reconfirm_days": "days after which responsibility holders re-confirm",
    "public_report_close_days": "days to close a public report",
    "public_report_extension_days": "the one extension of a public report",
    "public_report_reply_days": "days to reply after the finding",
    "public_report_duplicate_radius_m": "reports within this distance may be duplicates",
    "public_report_duplicate_days": "…and within this many days",
    "public_report_reward_percent": "reward as a share of the related fine",
    "public_report_reward_min": "smallest reward (yuan)",
    "public_report_reward_max": "largest reward (yuan)",
    "public_report_rate_window_seconds": "rate-limit window per client address",
    "public_report_intake_per_window": "reports per address per window",
    "public_report_receipt_per_window": "receipt lookups per address per window",
    "public_report_max_content_chars": "longest report text",
    "public_report_max_photos": "photos per report",
    "public_report_max_photo_bytes": "largest photo",
    "public_report_photo_per_window": "photo uploads per address per window",
}


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
        meaning = (field.description or MEANINGS.get(name, "")).replace("|", "\\|")
        print(f"| `ANJIAN_{name.upper()}` | {shown} | {meaning} |")


if __name__ == "__main__":
    main()
