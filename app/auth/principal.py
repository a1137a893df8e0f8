"""Who is calling: the principal every service and repository receives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from app.core.enums import labelled


class Role(StrEnum):
    admin = "admin"
    committee_office = "committee_office"
    department_official = "department_official"
    town_official = "town_official"
    inspector = "inspector"
    enterprise_user = "enterprise_user"
    expert = "expert"
    system = "system"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.admin: ("Administrator", "系统管理员"),
    Role.committee_office: ("Safety committee office", "安委办"),
    Role.department_official: ("Department official", "部门工作人员"),
    Role.town_official: ("Town/street official", "乡镇（街道）工作人员"),
    Role.inspector: ("Inspector", "执法检查人员"),
    Role.enterprise_user: ("Enterprise user", "企业用户"),
    Role.expert: ("Expert", "专家"),
    Role.system: ("System client", "外部系统"),
}


labelled("role", {role.value: labels for role, labels in ROLE_LABELS.items()})(Role)


@dataclass(frozen=True)
class Principal:
    role: Role
    subject: str
    person_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    region_code: str | None = None
    department_id: uuid.UUID | None = None
    enterprise_id: uuid.UUID | None = None
    sectors: frozenset[str] | None = None  # None: every sector
    read_only: bool = False
    permissions: frozenset[str] = field(default_factory=frozenset)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def actor_label(self) -> str:
        return f"{self.role.value}:{self.subject}"
