"""The whole access policy on one screen: role → permissions.

Data scope (which rows a role sees) is in ``scope.py``; this table says what a role may *do*.
Permissions are ``<resource>:<operation>``; ``personal_data:read`` unmasks phone numbers.
"""

from __future__ import annotations

from app.auth.principal import Role

# fmt: off
_READ_ALL = {
    "region:read", "sector:read", "criteria:read", "department:read", "enterprise:read",
    "person:read", "hazard:read", "visit:read", "responsibility:read", "event:read",
    "statistics:read", "campaign:read", "enforcement:read", "attachment:read",
}
_GOVERNMENT_WRITE = {
    "enterprise:write", "enterprise:status", "hazard:report", "hazard:register", "hazard:manage",
    "hazard:decide", "hazard:accept", "hazard:escalate", "hazard:cancel", "hazard:list",
    "visit:write", "enforcement:write", "responsibility:write", "attachment:write",
    "campaign:write",
}

# Public reports (举报): need to know. Never for system clients, experts or enterprises; the
# reporter's identity only for the handling unit (checked per report), every read audited.
_PUBLIC_REPORT_HANDLER = {
    "public_report:read", "public_report:handle", "public_report:reporter_read",
    "public_report:reward",
}

POLICY: dict[Role, frozenset[str]] = {
    Role.admin: frozenset(_READ_ALL | _GOVERNMENT_WRITE | {
        "department:write", "person:write", "personal_data:read", "api_key:manage",
        "audit:read", "criteria:write", "webhook:manage", "enterprise:delete", "reference:write",
        "public_report:read", "public_report:route_rules", "checklist:write",
        "assessment:write", "clock:write",
    }),
    Role.committee_office: frozenset(_READ_ALL | _GOVERNMENT_WRITE | {
        "department:write", "person:write", "personal_data:read", "audit:read", "hazard:list",
        "enterprise:delete", "checklist:write", "assessment:write",
    } | _PUBLIC_REPORT_HANDLER | {"public_report:route_rules"}),
    Role.department_official: frozenset(_READ_ALL | _GOVERNMENT_WRITE | {"personal_data:read"}
                                        | _PUBLIC_REPORT_HANDLER | {"checklist:write"}),
    Role.town_official: frozenset(_READ_ALL | _GOVERNMENT_WRITE | {"personal_data:read"}
                                  | _PUBLIC_REPORT_HANDLER),
    Role.inspector: frozenset(_READ_ALL | {
        "hazard:report", "hazard:register", "hazard:manage", "hazard:accept", "visit:write",
        "enforcement:write", "attachment:write", "personal_data:read", "public_report:read",
    }),
    Role.enterprise_user: frozenset({
        "region:read", "sector:read", "criteria:read", "enterprise:read", "hazard:read",
        "visit:read", "responsibility:read", "attachment:read", "person:read",
        "hazard:report", "hazard:self_manage", "visit:self_inspect", "attachment:write",
        "enterprise:self_update", "enforcement:read", "statistics_report:write",
        "statistics_report:sign",
    }),
    Role.expert: frozenset({
        "region:read", "sector:read", "criteria:read", "hazard:read", "visit:read",
        "attachment:read", "hazard:accept", "attachment:write", "enterprise:read",
    }),
    Role.system: frozenset(_READ_ALL | _GOVERNMENT_WRITE | {"webhook:subscribe"}),
}
# fmt: on

# Field-level write rules: where a (role, resource) is listed, a write by that role may change
# only these fields (the others are facts its supervisors record: for an enterprise user its
# own enterprise's region, sectors, risk grade, licences, main responsible person, name, kind,
# size and industry code). A resource not listed here: every writable field of its schema.
# fmt: off
WRITABLE_FIELDS: dict[tuple[Role, str], frozenset[str]] = {
    (Role.enterprise_user, "enterprise"): frozenset({
        "address", "location", "legal_representative", "safety_manager",
    }),
}
# fmt: on

READ_ONLY_KEY_PERMISSIONS = frozenset(p for p in POLICY[Role.system] if p.endswith(":read"))
