"""Step 14's relapse (反弹): a closed hazard found again at a look-back, linked to the new one."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_audit
from app.auth.principal import Principal
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.core.ids import new_id
from app.events.outbox import emit_event
from app.hazards import repository
from app.hazards.enums import HazardStatus
from app.hazards.service.common import EVENT_NAMES, conflict
from app.hazards.service.reads import RESOURCE
from app.models.hazard import Hazard, HazardEvent


async def check_relapse_target(
    session: AsyncSession,
    principal: Principal,
    relapse_of_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    own_id: uuid.UUID | None,
) -> Hazard:
    old = await repository.get_for_update(session, principal, relapse_of_id)
    if old is None:
        raise NotFound(
            "The hazard it repeats was not found",
            "所关联的原隐患不存在",
            code="relapse_target_not_found",
        )
    if old.id == own_id:
        raise conflict("hazard_relapse_self", "A hazard cannot repeat itself", "隐患不能关联自身")
    if old.status != HazardStatus.closed.value:
        raise conflict(
            "hazard_relapse_target_not_closed",
            "Only a closed hazard can relapse",
            "仅已销号的隐患可关联反弹",
        )
    if old.enterprise_id != enterprise_id:
        raise conflict(
            "hazard_relapse_other_enterprise",
            "A relapse must be at the same enterprise",
            "反弹隐患须属于同一单位",
        )
    return old


async def note_relapse_on_old(
    session: AsyncSession, principal: Principal, old_id: uuid.UUID, new: Hazard
) -> None:
    """The old hazard's timeline records that a look-back found it again (status unchanged),
    with its audit row and a ``hazard.relapse_found`` event for subscribers."""
    old = await repository.get_any(session, old_id)
    assert old is not None
    data = {"relapse_id": str(new.id), "relapse_code": new.code}
    session.add(
        HazardEvent(
            id=new_id(),
            hazard_id=old.id,
            occurred_at=utcnow(),
            action="relapse_found",
            from_status=old.status,
            to_status=old.status,
            actor_subject=principal.subject,
            actor_role=principal.role.value,
            actor_person_id=principal.person_id,
            actor_department_id=principal.department_id,
            actor_enterprise_id=principal.enterprise_id,
            actor_region_code=principal.region_code,
            comment=None,
            document_numbers=[],
            lat=None,
            lon=None,
            attachment_ids=[],
            data=data,
            hazard_version=old.version,
        )
    )
    record_audit(
        session,
        principal,
        action="relapse_found",
        resource_type=RESOURCE,
        resource_id=old.id,
        changes={"relapse_id": {"old": None, "new": str(new.id)}},
        region_code=old.region_code,
    )
    emit_event(
        session,
        f"hazard.{EVENT_NAMES['relapse_found']}",
        resource_type=RESOURCE,
        resource_id=old.id,
        data={
            "status": old.status,
            "version": old.version,
            "code": old.code,
            "level": old.level,
            **data,
            "visit_id": str(new.visit_id) if new.visit_id else None,
        },
        region_code=old.region_code,
        sectors=list(old.sectors),
        enterprise_id=old.enterprise_id,
    )
    await session.flush()
