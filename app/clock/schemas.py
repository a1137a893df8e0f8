"""The service clock of drills (演练时钟): read it, move it (development and test only)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.timebounds import BoundedDatetime

MAX_OFFSET_SECONDS = 10 * 366 * 86400  # ten years either way


class ClockRead(BaseModel):
    """The service's "now" as every rule, list and worker job sees it (服务时钟)."""

    now: datetime = Field(description="The service's current time (UTC), offset included")
    today: date = Field(description="The service's current date in China Standard Time")
    real_now: datetime = Field(description="The machine's real time (UTC)")
    offset_seconds: int = Field(description="Drill offset: service time minus real time")
    environment: str = Field(description="development, test or production")
    adjustable: bool = Field(description="Whether an administrator may move it (never production)")
    version: int
    updated_at: datetime
    updated_by: str | None = Field(description="Who last moved it (token subject)")
    reason: str | None = Field(description="Why it was last moved")


class ClockUpdate(BaseModel):
    """Move the clock: either an offset from real time, or the moment "now" should be. An offset
    of 0 puts the clock back to real time."""

    model_config = ConfigDict(extra="forbid")

    offset_seconds: int | None = Field(
        default=None,
        ge=-MAX_OFFSET_SECONDS,
        le=MAX_OFFSET_SECONDS,
        description="Service time minus real time, in seconds (e.g. 2678400 for 31 days)",
    )
    now: BoundedDatetime | None = Field(
        default=None, description="Set the service time to this moment (with an offset)"
    )
    reason: str | None = Field(
        default=None, max_length=500, description="Why (e.g. 演练：整改逾期提醒)"
    )

    @model_validator(mode="after")
    def _one_of(self) -> ClockUpdate:
        if (self.offset_seconds is None) == (self.now is None):
            raise ValueError("give exactly one of offset_seconds and now")
        return self
