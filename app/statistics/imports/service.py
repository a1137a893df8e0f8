"""Import jobs: check the file, then write every valid row through the domain's own service
function (each row in a SAVEPOINT, so one bad row never spoils the others); a dry run rolls
every row's savepoint back, so it reports exactly what a real run would, and writes nothing.
Small files run inside the request; larger ones are queued and run by the worker
(``claim_next_import_job`` + ``run_import_job``), committing after every batch, so progress is
visible and a crashed job resumes after its last committed batch."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import AppError, NotFound, Unprocessable
from app.core.ids import new_id
from app.core.problems import CONSTRAINT_ERRORS
from app.events.outbox import emit_event
from app.models.statistics import ImportJob
from app.statistics.enums import ImportFileFormat, ImportJobStatus, ImportKind
from app.statistics.imports import repository, specs
from app.statistics.imports.principals import principal_data
from app.statistics.imports.reader import detect_format, read_rows, text_of
from app.statistics.imports.schemas import ImportJobRead, ImportRowErrors
from app.statistics.imports.specs import ImportField, KindSpec, RowError

RESOURCE = "import_job"
PREVIEW_ERRORS = 100


def spec_for(kind: ImportKind) -> KindSpec:
    spec = specs.SPECS.get(kind)
    if spec is None:
        raise Unprocessable.field(
            ["body", "kind"],
            f"Importing {kind.value} is not available yet",
            "import_kind_unavailable",
            "暂不支持导入该类数据",
            code="import_kind_unavailable",
        )
    return spec


def _columns(spec: KindSpec, header: list[Any]) -> tuple[dict[int, ImportField], list[str]]:
    """Header cells → template fields (by key, English or Chinese header); the rest ignored."""
    mapping: dict[int, ImportField] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        name = text_of(cell)
        if name is None:
            continue
        found = spec.by_name.get(specs.normalise(name))
        if found is None:
            ignored.append(name)
        elif found in mapping.values():
            raise Unprocessable.field(
                ["body", "file"],
                f"Column {name} appears twice",
                "import_duplicate_column",
                f"列“{name}”重复",
                code="import_duplicate_column",
            )
        else:
            mapping[index] = found
    missing = [f for f in spec.fields if f.required and f not in mapping.values()]
    if missing:
        names = ", ".join(f.en for f in missing)
        names_zh = "、".join(f.zh for f in missing)
        raise Unprocessable.field(
            ["body", "file"],
            f"Required columns are missing: {names}",
            "import_missing_columns",
            f"缺少必填列：{names_zh}",
            code="import_missing_columns",
        )
    return mapping, ignored


def _table(
    spec: KindSpec, content: bytes, file_format: ImportFileFormat
) -> tuple[dict[int, ImportField], list[str], list[str], Iterator[tuple[int, list[Any]]]]:
    rows = read_rows(content, file_format)
    first = next(rows, None)
    if first is None:
        raise Unprocessable.field(
            ["body", "file"],
            "The file has no header row",
            "import_empty",
            "文件没有表头行",
            code="import_empty",
        )
    mapping, ignored = _columns(spec, first[1])
    headers = [text_of(c) or "" for c in first[1]]
    return mapping, ignored, headers, rows


async def create_import_job(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    *,
    kind: ImportKind,
    dry_run: bool,
    filename: str,
    content: bytes,
) -> tuple[ImportJobRead, bool]:
    """Returns the job and whether it was queued for the worker (else it already ran)."""
    spec = spec_for(kind)
    require(principal, spec.permission)
    file_format = detect_format(content)
    _, ignored, _, rows = _table(spec, content, file_format)
    total = sum(1 for _ in rows)
    if total > settings.import_max_rows:
        raise Unprocessable.field(
            ["body", "file"],
            f"At most {settings.import_max_rows} rows per import",
            "import_too_many_rows",
            f"每次最多导入 {settings.import_max_rows} 行",
            code="import_too_many_rows",
        )
    queued = total > settings.import_inline_max_rows
    now = utcnow()
    job = ImportJob(
        id=new_id(),
        kind=kind.value,
        dry_run=dry_run,
        filename=filename[:255] or "upload",
        file_format=file_format.value,
        content=content if queued else None,
        created_by=principal.subject,
        principal=principal_data(principal),
        total_rows=total,
        processed_rows=0,
        created_rows=0,
        unchanged_rows=0,
        error_rows=0,
        ignored_columns=ignored,
        status=(ImportJobStatus.queued if queued else ImportJobStatus.running).value,
        started_at=None if queued else now,
        heartbeat_at=None if queued else now,
    )
    session.add(job)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=job.id,
        changes={
            "kind": {"old": None, "new": kind.value},
            "dry_run": {"old": None, "new": dry_run},
            "filename": {"old": None, "new": job.filename},
            "total_rows": {"old": None, "new": total},
        },
        region_code=principal.region_code,
    )
    if queued:
        emit_job_event(session, "import_job.queued", job.id, ImportJobStatus.queued, kind)
    else:
        await process_rows(
            session,
            settings,
            job.id,
            spec,
            principal,
            content,
            file_format,
            dry_run=dry_run,
            start_after=0,
            commit_batches=False,
        )
        emit_job_event(session, "import_job.completed", job.id, ImportJobStatus.succeeded, kind)
    await session.flush()
    return await get_import_job(session, principal, job.id), queued


def emit_job_event(
    session: AsyncSession,
    event_type: str,
    job_id: uuid.UUID,
    status: ImportJobStatus,
    kind: ImportKind | str,
) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=job_id,
        data={"status": status.value, "kind": str(kind)},
    )


def _row_errors(spec: KindSpec, err: AppError) -> list[RowError]:
    if err.errors:
        out = []
        for item in err.errors:
            loc = list(item.get("loc", []))
            column = spec.loc_to_column(loc[1:]) if loc[:1] == ["body"] and len(loc) > 1 else None
            zh = item.get("msg_zh") or (
                err.detail_zh if len(err.errors) == 1 else item.get("msg", "")
            )
            out.append(
                specs.error(
                    column,
                    err.code
                    if err.code != "validation_failed"
                    else str(item.get("type", err.code)),
                    str(item.get("msg", err.detail_en)),
                    zh,
                )
            )
        return out
    return [specs.error(None, err.code, err.detail_en, err.detail_zh)]


def _integrity_errors(err: IntegrityError) -> list[RowError]:
    orig = err.orig
    constraint = getattr(getattr(orig, "__cause__", None), "constraint_name", None) or getattr(
        orig, "constraint_name", None
    )
    if constraint in CONSTRAINT_ERRORS:
        _, code, en, zh = CONSTRAINT_ERRORS[constraint]
        return [specs.error(None, code, en, zh)]
    return [
        specs.error(None, "conflict", "The row conflicts with existing data", "该行与现有数据冲突")
    ]


async def _write(
    session: AsyncSession, spec: KindSpec, principal: Principal, model: Any, dry_run: bool
) -> tuple[list[RowError], bool]:
    savepoint = await session.begin_nested()
    try:
        _, created = await spec.create(session, principal, model)
        await session.flush()  # audit and outbox rows too, inside the savepoint
    except AppError as err:
        await savepoint.rollback()
        return _row_errors(spec, err), False
    except IntegrityError as err:
        await savepoint.rollback()
        return _integrity_errors(err), False
    except DBAPIError:  # e.g. a value the database refuses that no schema rule caught
        await savepoint.rollback()
        return [
            specs.error(
                None,
                "rejected_by_database",
                "The database refused this row",
                "数据库拒绝了该行数据",
            )
        ], False
    if dry_run:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    return [], created


async def process_rows(
    session: AsyncSession,
    settings: Settings,
    job_id: uuid.UUID,
    spec: KindSpec,
    principal: Principal,
    content: bytes,
    file_format: ImportFileFormat,
    *,
    dry_run: bool,
    start_after: int,
    commit_batches: bool,
) -> None:
    mapping, _, headers, rows = _table(spec, content, file_format)
    counts = {
        "processed_rows": start_after,
        "created_rows": 0,
        "unchanged_rows": 0,
        "error_rows": 0,
    }
    if start_after:
        current = await repository.load(session, job_id)
        assert current is not None
        counts = {k: current[k] for k in counts}
    seen: set[str] = set()
    pending_errors: list[dict[str, Any]] = []
    index = 0
    for number, cells in rows:
        index += 1
        if index <= start_after:
            continue
        values = {
            f.key: specs.cell_value(f, cells[i]) for i, f in mapping.items() if i < len(cells)
        }
        errors = await spec.prepare(session, principal, values) if spec.prepare else []
        model, more = specs.build(spec, values)
        if errors:  # an unresolved reference: report it with the row's other errors
            model = None
            more = [e for e in more if e["column"] not in {e["column"] for e in errors}]
        errors += more
        unique = values.get(spec.unique_key) if spec.unique_key else None
        if model is not None and isinstance(unique, str):
            if unique.upper() in seen:
                errors = [
                    specs.error(
                        spec.unique_key,
                        "duplicate_in_file",
                        "The same value appears on an earlier row of this file",
                        "与本文件前面某行重复",
                    )
                ]
            seen.add(unique.upper())
        created = False
        if model is not None and not errors:
            errors, created = await _write(session, spec, principal, model, dry_run)
        if errors:
            counts["error_rows"] += 1
            pending_errors.append(
                {
                    "row_number": number,
                    "errors": errors,
                    "values": {
                        (
                            headers[i] if i < len(headers) and headers[i] else f"column_{i + 1}"
                        ): text_of(c)
                        for i, c in enumerate(cells)
                    },
                }
            )
        elif created:
            counts["created_rows"] += 1
        else:
            counts["unchanged_rows"] += 1
        counts["processed_rows"] = index
        if index % settings.import_batch_rows == 0:
            await _save(session, job_id, counts, pending_errors)
            pending_errors = []
            if commit_batches:
                await session.commit()
                session.expunge_all()
    await _save(session, job_id, counts, pending_errors, finished=True)


async def _save(
    session: AsyncSession,
    job_id: uuid.UUID,
    counts: dict[str, int],
    errors: list[dict[str, Any]],
    *,
    finished: bool = False,
) -> None:
    await repository.add_errors(session, job_id, errors)
    now = utcnow()
    extra: dict[str, Any] = (
        {"status": ImportJobStatus.succeeded.value, "finished_at": now, "content": None}
        if finished
        else {}
    )
    await repository.set_progress(
        session, job_id, heartbeat_at=now, updated_at=now, **counts, **extra
    )


async def get_import_job(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID
) -> ImportJobRead:
    row = await repository.get_row(session, principal, job_id)
    if row is None:
        raise NotFound("Import job not found", "导入任务不存在", code="import_job_not_found")
    errors = await repository.error_rows(session, job_id, 0, PREVIEW_ERRORS + 1)
    return ImportJobRead.model_validate(
        {**row, "errors": errors[:PREVIEW_ERRORS], "more_errors": len(errors) > PREVIEW_ERRORS}
    )


async def list_import_job_errors(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    job_id: uuid.UUID,
    cursor: str | None,
    limit: int | None,
) -> tuple[list[ImportRowErrors], str | None]:
    await get_import_job(session, principal, job_id)
    kind = f"import_errors:{job_id}"
    after = int(decode_cursor(settings.cursor_secret, kind, cursor)["r"]) if cursor else 0
    size = limit or settings.page_limit_default
    rows = await repository.error_rows(session, job_id, after, size + 1)
    next_cursor = (
        encode_cursor(settings.cursor_secret, kind, {"r": rows[size - 1]["row_number"]})
        if len(rows) > size
        else None
    )
    return [ImportRowErrors.model_validate(r) for r in rows[:size]], next_cursor
