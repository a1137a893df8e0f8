"""Enforcement documents (执法文书) over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.visits.record_schemas import (
    DocumentCreate,
    DocumentFilter,
    DocumentPage,
    DocumentRead,
    DocumentServe,
)
from app.visits.service import documents as service

router = APIRouter(prefix="/enforcement-documents", tags=["enforcement-documents"])


@router.get("", response_model=DocumentPage, responses=problems(403, 410))
async def list_enforcement_documents(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[DocumentFilter, Query()],
) -> DocumentPage:
    items, next_cursor, removed = await service.list_documents(session, settings, principal, query)
    return DocumentPage(items=items, next_cursor=next_cursor, removed=removed)


@router.post(
    "",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(DocumentRead)},
)
async def create_enforcement_document(
    data: DocumentCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> DocumentRead:
    """Issue a document; its effect on the linked hazards and the unit applies at once
    (rectification order → rectifying, listing → listed, penalty / suspension / closure →
    escalated and the unit suspended or closed, re-check → accepted or back to rectifying)."""
    doc, created = await service.create_document(session, settings, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, doc.version, f"/api/v1/enforcement-documents/{doc.id}")
    return doc


@router.get("/{document_id}", response_model=DocumentRead, responses=problems(403, 404))
async def get_enforcement_document(
    document_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> DocumentRead:
    doc = await service.get_document(session, principal, document_id)
    with_etag(response, doc.version)
    return doc


@router.post(
    "/{document_id}/serve", response_model=DocumentRead, responses=problems(403, 404, 409, 412)
)
async def serve_enforcement_document(
    document_id: uuid.UUID,
    data: DocumentServe,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> DocumentRead:
    """Record the service date (送达)."""
    doc = await service.serve_document(session, principal, document_id, data, if_match)
    with_etag(response, doc.version)
    return doc
