"""Printable documents: each builder reads its record exactly as the JSON read does (same
permission, same scope, same 404) and describes it for ``app.core.pdf``."""

from app.documents.service.enforcement import enforcement_document
from app.documents.service.plan import treatment_plan
from app.documents.service.receipt import handler_receipt, reporter_receipt
from app.documents.service.record import onsite_record

__all__ = [
    "enforcement_document",
    "handler_receipt",
    "onsite_record",
    "reporter_receipt",
    "treatment_plan",
]
