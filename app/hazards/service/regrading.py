"""Re-grading later: a general hazard found to be major while it is being rectified.

Step 2 again, after step 4: the department re-grades it major (criteria clauses or an expert
note, and the reason), which is also the report to the regulator of step 5, so the hazard goes
to ``planning`` (status ``regrade_major`` on the timeline, ``hazard.regraded_major`` event):

- the treatment follows the major path from here: a six-element plan (``submit-plan``), whose
  deadline becomes the next deadline version; until then the rectification deadline stays in
  force (overdue still counts);
- a pending extension request is withdrawn (the plan sets the time limit), a declared
  completion is set aside (a major hazard is accepted by experts);
- the hazard may now be listed (挂牌督办, ``POST …/list``) and given a stop order
  (``production_order``), and counts as major in statistics from this step.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core.errors import Unprocessable
from app.hazards import repository
from app.hazards.enums import HazardLevel, TreatmentType
from app.hazards.schemas import HazardRead, HazardRegradeMajor
from app.hazards.service.common import (
    conflict,
    finish_step,
    locked,
    move,
    require_stop_order_document,
    snapshot,
)

_FIELDS = (
    "level",
    "treatment_type",
    "criteria_clause_ids",
    "expert_note",
    "production_order",
    "production_order_document",
    "extension_requested_deadline",
    "extension_reason",
    "completed_at",
    "status",
)


async def regrade_major(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardRegradeMajor,
    expected_version: int | None,
) -> HazardRead:
    hz = await locked(session, principal, hazard_id, "regrade_major", expected_version)
    if hz.level != HazardLevel.general.value:
        raise conflict(
            "hazard_not_general", "The hazard is already major", "该隐患已是重大事故隐患"
        )
    clauses = list(body.criteria_clause_ids)
    if await repository.unknown_clauses(session, clauses):
        raise Unprocessable.field(
            ["body", "criteria_clause_ids"],
            "Unknown criteria clauses",
            "criteria_clause_unknown",
            "判定标准条款不存在",
            code="criteria_clause_unknown",
        )
    if not clauses and not body.expert_note:
        raise conflict(
            "hazard_major_needs_criteria",
            "A major hazard needs criteria clauses or an expert note",
            "重大事故隐患须有判定标准条款或专家意见",
        )
    require_stop_order_document(body.production_order, body.production_order_document)
    before = snapshot(hz, _FIELDS)
    hz.level, hz.treatment_type = HazardLevel.major.value, TreatmentType.by_deadline.value
    hz.criteria_clause_ids, hz.expert_note = clauses, body.expert_note or hz.expert_note
    hz.production_order = body.production_order.value
    hz.production_order_document = body.production_order_document
    hz.extension_requested_deadline, hz.extension_reason = None, None
    hz.completed_at = None
    frm = move(hz, "regrade_major")
    return await finish_step(
        session,
        principal,
        hz,
        "regrade_major",
        frm,
        body,
        before,
        _FIELDS,
        previous_level=HazardLevel.general,
        level=HazardLevel.major,
        reason=body.reason,
        deadline=hz.deadline,
        production_order=body.production_order,
    )
