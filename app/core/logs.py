"""One JSON object per log line, for the API, the worker and the launcher alike.

Every line has ``time`` (UTC, RFC 3339, milliseconds), ``level``, ``logger``, ``event`` (what
happened, snake_case: ``request``, ``worker_started``, ``delivery``, ``clock_job``…; ``log`` for
a plain message) and ``message`` (a human sentence), then the event's own fields, then
``request_id`` when the line is written while a request is being served, and ``error`` (the
traceback) when it carries an exception. The fields of each event are listed in
``docs/deployment.md``.

A caller adds an event and its fields with ``extra=event("delivery", status="succeeded")``;
the line is built only when a handler writes it.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from app.core import request_context

_HANDLER_NAME = "anjian-json"


def event(name: str, **fields: Any) -> dict[str, Any]:
    """``extra=`` for a log call: the event name and its fields."""
    return {"event": name, "fields": fields}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        if "request_id" not in line:
            request_id = request_context.current.get().request_id
            if request_id != "-":  # "-": not inside a request
                line["request_id"] = request_id
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["error"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str | int) -> None:
    """JSON lines on standard error at ``level`` (idempotent: one handler, however often)."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
