"""Hazard rules. The public interface (see ``app/hazards/interface.md``) is re-exported here."""

from app.hazards.service.closing import (
    accept_hazard,
    declare_completion,
    escalate_hazard,
    reject_acceptance,
)
from app.hazards.service.common import TRANSITIONS
from app.hazards.service.lifecycle import (
    fix_on_spot,
    list_hazard,
    order_rectification,
    register_hazard,
    regrade_hazard,
    report_major,
)
from app.hazards.service.links import assign_experts, cancel_hazard, link_relapse
from app.hazards.service.reads import audit_contacts_shown
from app.hazards.service.register import (
    create_hazard,
    create_or_replay,
    get_hazard,
    list_deadlines,
    list_events,
    list_hazards,
    nearby_hazards,
    update_hazard,
)
from app.hazards.service.regrading import regrade_major
from app.hazards.service.treatment import (
    approve_extension,
    reject_extension,
    report_progress,
    request_extension,
    submit_plan,
)

__all__ = [
    "TRANSITIONS",
    "accept_hazard",
    "approve_extension",
    "assign_experts",
    "audit_contacts_shown",
    "cancel_hazard",
    "create_hazard",
    "create_or_replay",
    "declare_completion",
    "escalate_hazard",
    "fix_on_spot",
    "get_hazard",
    "link_relapse",
    "list_deadlines",
    "list_events",
    "list_hazard",
    "list_hazards",
    "nearby_hazards",
    "order_rectification",
    "register_hazard",
    "regrade_hazard",
    "regrade_major",
    "reject_acceptance",
    "reject_extension",
    "report_major",
    "report_progress",
    "request_extension",
    "submit_plan",
    "update_hazard",
]
