"""Assessment schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.enums import labelled
from app.core.pagination import Page


@labelled(
    "assessment_unit_kind",
    {
        "town": ("Towns and streets", "乡镇（街道）"),
        "department": ("Departments", "部门"),
    },
)
class AssessmentUnitKind(StrEnum):
    town = "town"
    department = "department"


@labelled(
    "assessment_status",
    {
        "draft": ("Draft (live scores)", "草稿（实时计分）"),
        "final": ("Final (snapshot)", "已定稿（快照）"),
    },
)
class AssessmentStatus(StrEnum):
    draft = "draft"
    final = "final"


@labelled(
    "assessment_metric",
    {
        "rectification_rate": ("Rectification rate (closed ÷ found)", "隐患整改率"),
        "on_time_rate": ("On-time rectification rate", "按期整改率"),
        "overdue": ("Hazards overdue", "逾期未整改隐患数"),
        "major_cleared_rate": ("Major hazards cleared ÷ major found", "重大隐患清零率"),
        "major_open": ("Major hazards still open", "重大隐患未销号数"),
        "manual": (
            "Entered by hand (visits, training, drills…)",
            "手工录入（包保检查、培训、演练等）",
        ),
    },
)
class AssessmentMetric(StrEnum):
    rectification_rate = "rectification_rate"
    on_time_rate = "on_time_rate"
    overdue = "overdue"
    major_cleared_rate = "major_cleared_rate"
    major_open = "major_open"
    manual = "manual"


class Indicator(BaseModel):
    """One weighted indicator (考核指标). ``higher`` scores value ÷ target (capped at 1);
    ``lower`` scores 1 − value ÷ target (floored at 0); a ``veto`` indicator (一票否决) gives no
    points: any non-zero value sets the unit's total to 0."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name_en: str = Field(min_length=1, max_length=200)
    name_zh: str = Field(min_length=1, max_length=200)
    metric: AssessmentMetric
    weight: float = Field(ge=0, le=1000)
    better: str = Field(default="higher", pattern=r"^(higher|lower)$")
    target: float | None = Field(
        default=None, gt=0, description="Value of full marks (higher) or of zero (lower)"
    )
    veto: bool = False

    @model_validator(mode="after")
    def _target_for_lower(self) -> Indicator:
        if self.better == "lower" and self.target is None and not self.veto:
            raise ValueError("a 'lower is better' indicator needs a target")
        return self


def _unique_codes(indicators: list[Indicator]) -> list[Indicator]:
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise ValueError("indicator codes must be unique")
    return indicators


class AssessmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    unit_kind: AssessmentUnitKind
    region_code: str = Field(pattern=r"^\d{6}$", description="The county assessed")
    title: str = Field(min_length=1, max_length=200)
    indicators: list[Indicator] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _codes(self) -> AssessmentCreate:
        _unique_codes(self.indicators)
        return self


class AssessmentUpdate(BaseModel):
    """Only while draft. ``inputs`` merges per unit: ``{unit: {indicator code: value}}``."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    indicators: list[Indicator] | None = Field(default=None, min_length=1, max_length=50)
    inputs: dict[str, dict[str, float | None]] | None = Field(
        default=None, description="Town code or department id → indicator code → value"
    )

    @model_validator(mode="after")
    def _codes(self) -> AssessmentUpdate:
        if self.indicators is not None:
            _unique_codes(self.indicators)
        return self


class ScoreDetail(BaseModel):
    """What one indicator's points were computed from."""

    metric: str
    value: float | None = Field(description="The measured or entered value")
    numerator: float | None = Field(default=None, description="e.g. hazards closed")
    denominator: float | None = Field(default=None, description="e.g. hazards found")
    target: float | None
    weight: float = Field(description="Weight as defined")
    effective_weight: float = Field(
        default=0.0, description="Weight after re-weighting over the rated indicators"
    )
    rated: bool = Field(description="False: empty denominator, excluded (不参与评分)")
    formula: str


class UnitResult(BaseModel):
    unit: str = Field(description="Town code or department id")
    name: str | None
    found: int = Field(default=0, description="Hazards found in the year (排查隐患数)")
    values: dict[str, float | None] = Field(description="Indicator code → measured value")
    scores: dict[str, float | None] = Field(
        description="Indicator code → points (null: not rated, empty denominator)"
    )
    details: dict[str, ScoreDetail] = Field(
        default_factory=dict, description="Indicator code → the inputs of its score"
    )
    total: float | None = Field(
        description="Points scaled to the full weight over the rated indicators; null: nothing "
        "to rate (not rated)"
    )
    vetoed: bool
    rank: int | None = Field(description="Competition rank among rated units; null: not rated")


class AssessmentRead(BaseModel):
    """An assessment with its ranking: live while draft, the frozen snapshot once final."""

    id: uuid.UUID
    year: int
    unit_kind: AssessmentUnitKind
    region_code: str
    title: str
    indicators: list[Indicator]
    inputs: dict[str, dict[str, float | None]]
    status: AssessmentStatus
    computed_at: datetime = Field(description="When the results were computed")
    results: list[UnitResult]
    finalized_at: datetime | None
    finalized_by: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class AssessmentSummary(BaseModel):
    id: uuid.UUID
    year: int
    unit_kind: AssessmentUnitKind
    region_code: str
    title: str
    status: AssessmentStatus
    version: int


class AssessmentPage(Page[AssessmentSummary]):
    pass


class AssessmentFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(default=None, ge=2000, le=2100)
    unit_kind: AssessmentUnitKind | None = None
    region: str | None = Field(default=None, pattern=r"^\d{2,12}$")
