"""Import jobs and import templates over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.export import MEDIA_TYPES, ExportFormat, content_disposition
from app.core.export_http import is_chinese
from app.core.problems import problems
from app.statistics.enums import ImportKind
from app.statistics.imports import service, specs
from app.statistics.imports.schemas import ImportErrorFilter, ImportJobRead, ImportRowErrorPage
from app.statistics.imports.templates import template_bytes

router = APIRouter(prefix="/import-jobs", tags=["import-jobs"])
templates_router = APIRouter(prefix="/import-templates", tags=["import-templates"])


@router.post(
    "",
    response_model=ImportJobRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        202: {"model": ImportJobRead, "description": "Queued for the worker"},
        **problems(403, 413),
    },
)
async def create_import_job(
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="XLSX (first sheet) or CSV, with a header row")],
    kind: Annotated[ImportKind, Form(description="What the rows are")],
    dry_run: Annotated[bool, Form(description="Validate every row, write nothing")] = False,
) -> ImportJobRead:
    """Import enterprises or hazards (批量导入). Up to `import_inline_max_rows` rows run at once
    (201, the finished job); larger files are queued (202) and run by the worker: poll the job."""
    content = await file.read()
    job, queued = await service.create_import_job(
        session,
        settings,
        principal,
        kind=kind,
        dry_run=dry_run,
        filename=file.filename or "upload",
        content=content,
    )
    if queued:
        response.status_code = status.HTTP_202_ACCEPTED
    response.headers["Location"] = f"/api/v1/import-jobs/{job.id}"
    return job


@router.get("/{job_id}", response_model=ImportJobRead, responses=problems(404))
async def get_import_job(
    job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ImportJobRead:
    """Progress and counts of an import, with its first rejected rows."""
    return await service.get_import_job(session, principal, job_id)


@router.get("/{job_id}/errors", response_model=ImportRowErrorPage, responses=problems(404))
async def list_import_job_errors(
    job_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[ImportErrorFilter, Query()],
) -> ImportRowErrorPage:
    """Every rejected row of an import, in file order."""
    items, next_cursor = await service.list_import_job_errors(
        session, settings, principal, job_id, query.cursor, query.limit
    )
    return ImportRowErrorPage(items=items, next_cursor=next_cursor)


@templates_router.get(
    "/{kind}",
    response_class=Response,
    responses={
        200: {
            "description": "The template (XLSX by default, or CSV)",
            "content": {MEDIA_TYPES[ExportFormat.xlsx]: {}, "text/csv": {}},
        },
        **problems(404),
    },
)
async def get_import_template(
    kind: ImportKind,
    principal: PrincipalDep,
    format: Annotated[ExportFormat, Query(description="xlsx or csv")] = ExportFormat.xlsx,
) -> Response:
    """The header row to fill in (Chinese or English by `Accept-Language`); the XLSX has a
    second sheet describing every column."""
    spec = specs.SPECS.get(kind)
    if spec is None:
        service.spec_for(kind)  # raises import_kind_unavailable
        raise AssertionError  # pragma: no cover
    zh = is_chinese()
    return Response(
        template_bytes(spec, format, zh),
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": content_disposition(
                f"{kind.value}-template", spec.name_zh, format, "v1"
            )
        },
    )
