"""Event feed and webhook schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints, field_validator

from app.core.enums import labelled
from app.core.pagination import Page, SyncPage, SyncRemovalRead, sort_field
from app.reference.enums import Sector

URL_MAX_LENGTH = 2000  # webhook_subscription.url is varchar(2000)
WebhookUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=URL_MAX_LENGTH)]
EVENT_TYPE_PATTERN = r"^(gov\.anjian\.)?[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?$"


@labelled(
    "webhook_delivery_status",
    {
        "pending": ("Pending (waiting for an attempt or a retry)", "待投递"),
        "succeeded": ("Delivered (2xx)", "已送达"),
        "failed": ("Failed (retries exhausted or receiver gone)", "投递失败"),
    },
)
class DeliveryStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event (JSON format). ``data`` names the resource, its new state and its
    ``version``: a receiver keeps the highest version seen per ``subject`` and drops the rest."""

    specversion: str = "1.0"
    id: uuid.UUID
    source: str
    type: str = Field(description="e.g. gov.anjian.hazard.accepted")
    subject: str = Field(description="<resource_type>/<id>")
    time: datetime
    datacontenttype: str = "application/json"
    data: dict[str, Any]


class EventPage(Page[CloudEvent]):
    next_cursor: str | None = Field(
        description="Pass as `after` to continue; always set (the feed never ends) — poll with it"
    )


class EventFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: str = Field(default="0", description="Feed cursor from a previous page; 0 = start")
    type: list[str] = Field(
        default_factory=list,
        description="Event types (gov.anjian.hazard.overdue or "
        "hazard.overdue), or a prefix such as hazard.*",
    )
    limit: int | None = Field(default=None, ge=1, le=200)

    @field_validator("type")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        return [normalise_type(v) for v in value]


def normalise_type(value: str) -> str:
    import re

    if not re.fullmatch(EVENT_TYPE_PATTERN, value):
        raise ValueError(f"not an event type: {value}")
    return value if value.startswith("gov.anjian.") else "gov.anjian." + value


class WebhookSubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id")
    url: WebhookUrl = Field(
        description="Receiver URL (http or https; internal addresses are "
        "refused unless allowed by ANJIAN_WEBHOOK_ALLOWED_NETWORKS)"
    )
    description: str | None = Field(default=None, max_length=500)
    event_types: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Types or prefixes (hazard.*); empty = all",
    )
    region_code: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Only events of this region subtree"
    )
    sectors: list[Sector] | None = Field(
        default=None, min_length=1, description="Only events touching these sectors"
    )
    active: bool = True

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        return sorted({normalise_type(v) for v in value})


class WebhookSubscriptionUpdate(BaseModel):
    """Writable fields (merge). Setting ``active`` true re-enables a subscription a 410 disabled."""

    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl | None = None
    description: str | None = Field(default=None, max_length=500)
    event_types: list[str] | None = Field(default=None, max_length=100)
    region_code: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    sectors: list[Sector] | None = Field(default=None, min_length=1)
    active: bool | None = None

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({normalise_type(v) for v in value})


class WebhookSubscriptionRead(BaseModel):
    """A webhook subscription (事件订阅). The secret is never shown again after creation."""

    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    region_code: str | None
    sectors: list[Sector] | None
    active: bool
    disabled_reason: str | None = Field(description="e.g. receiver_gone (HTTP 410)")
    owner_api_key_id: uuid.UUID | None = Field(description="Set when a system client owns it")
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookSubscriptionCreated(WebhookSubscriptionRead):
    secret: str | None = Field(
        description="whsec_… signing secret: shown once, store it now "
        "(null when an identical create with the same id is repeated)"
    )


class WebhookSecretRotated(BaseModel):
    secret: str = Field(description="The new whsec_… secret: shown once")
    previous_secrets_valid_until: datetime | None = Field(
        description="Older secrets keep signing (a second signature) until then"
    )


class WebhookSubscriptionPage(SyncPage[WebhookSubscriptionRead]):
    pass


class WebhookSubscriptionFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    sort: str | None = sort_field("created_at", "id")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(
        default=None, description="Sync cursor; 0 for everything (docs/sync.md)"
    )


class WebhookDeliveryRead(BaseModel):
    """One event sent (or to be sent) to one subscription."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID = Field(description="Also the webhook-id header")
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When pending: the next try")
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="HTTP status of the last attempt")
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class WebhookDeliveryPage(Page[WebhookDeliveryRead]):
    pass


class WebhookDeliveryFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: list[DeliveryStatus] = Field(default_factory=list)
    sort: str | None = sort_field("created_at", "id", default="-created_at")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None


class WorkdayOverridePut(BaseModel):
    """A local decision over the national calendar (e.g. offices closed for a typhoon)."""

    model_config = ConfigDict(extra="forbid")

    is_workday: bool = Field(description="true: a working day; false: a day off")
    reason: str = Field(min_length=1, max_length=300, description="The decision, e.g. 文号")


class WorkdayOverrideRead(BaseModel):
    """A working-day override (工作日调整) applied on top of the national holiday calendar."""

    on: date
    is_workday: bool
    reason: str
    created_at: datetime


class WorkdayOverrideList(BaseModel):
    items: list[WorkdayOverrideRead]
    next_cursor: str | None = Field(
        default=None, description="Delta sync (`changed_since`) only: the cursor for the next call"
    )
    removed: list[SyncRemovalRead] = Field(
        default_factory=list,
        description="Delta sync only: overrides deleted since the cursor (`id` is the date)",
    )


class WorkdayOverrideFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(default=None, ge=2000, le=2100)
    changed_since: str | None = Field(
        default=None, description="Sync cursor; 0 for everything (docs/sync.md)"
    )
    limit: int | None = Field(default=None, ge=1, le=200, description="Delta sync page size")
