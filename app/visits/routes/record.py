"""The on-site record (现场检查记录) over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.auth.dependencies import PrincipalDep, SessionDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems
from app.visits.record_schemas import OnsiteRecordRead, OnsiteRecordUpdate, RefusalIn, SignatureIn
from app.visits.service import record as service

router = APIRouter(prefix="/inspection-visits", tags=["inspection-visits"])


@router.get(
    "/{visit_id}/onsite-record", response_model=OnsiteRecordRead, responses=problems(403, 404)
)
async def get_onsite_record(
    visit_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> OnsiteRecordRead:
    record = await service.get_record(session, principal, visit_id)
    with_etag(response, record.version)
    return record


@router.patch(
    "/{visit_id}/onsite-record",
    response_model=OnsiteRecordRead,
    responses=problems(403, 404, 409, 412),
)
async def update_onsite_record(
    visit_id: uuid.UUID,
    data: OnsiteRecordUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> OnsiteRecordRead:
    """Edit the draft; 409 once anyone has signed."""
    record = await service.update_record(session, principal, visit_id, data, if_match)
    with_etag(response, record.version)
    return record


@router.post(
    "/{visit_id}/onsite-record/signatures",
    response_model=OnsiteRecordRead,
    responses=problems(403, 404, 409, 412),
)
async def sign_onsite_record(
    visit_id: uuid.UUID,
    data: SignatureIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> OnsiteRecordRead:
    """An inspector's or the unit head's signature (image attachment or signing event)."""
    record = await service.sign_record(session, principal, visit_id, data, if_match)
    with_etag(response, record.version)
    return record


@router.post(
    "/{visit_id}/onsite-record/refusal",
    response_model=OnsiteRecordRead,
    responses=problems(403, 404, 409, 412),
)
async def record_onsite_refusal(
    visit_id: uuid.UUID,
    data: RefusalIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> OnsiteRecordRead:
    """The unit head refused to sign (Art 68): recorded instead of the signature."""
    record = await service.record_refusal(session, principal, visit_id, data, if_match)
    with_etag(response, record.version)
    return record
