"""The guard functions on their own, with known answers from outside the code (no database).

These are the fast tests ``make mutation`` runs against each mutant (the HTTP tests elsewhere
test the same rules end to end, but a mutant would cost a database session each). Expected
values come from the standards and the domain description, not from the app: the published
credit codes and GB 32100's formula (``tests/uscc_reference.py``), the cursor format, the
lifecycle table of ``/work/shared/domain.md`` (hazards, steps 1-14), the role rules of
``docs/identity.md``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects import postgresql

from app.auth.cache import PrincipalCache
from app.auth.policy import POLICY
from app.auth.principal import Principal, Role
from app.auth.scope import (
    ensure_unit_writable,
    region_scope,
    region_subtree,
    region_upper_bound,
    require,
    unit_in_scope,
    unit_scope,
)
from app.core import clock
from app.core.concurrency import check_version, etag, parse_if_match
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import AppError
from app.core.timebounds import BoundedDate, BoundedDatetime, ObservedDatetime
from app.enterprises.uscc import UsccError, authority_region, validate_uscc
from app.hazards.service.common import authorize, check_transition
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from tests.enterprises.test_uscc_vectors import REAL_CODES
from tests.uscc_reference import ALPHABET, reference_check_character

# --- USCC ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "holder"), REAL_CODES)
def test_real_codes_validate(code: str, holder: str) -> None:
    assert validate_uscc(f" {code.lower()} ") == code, holder


def _rule(code: str) -> str:
    with pytest.raises(UsccError) as caught:
        validate_uscc(code)
    assert caught.value.en
    assert caught.value.zh
    assert str(caught.value) == caught.value.en
    return caught.value.rule


def test_each_uscc_rule() -> None:
    real = "91440300708461136T"
    assert _rule(real[:17]) == "uscc_length"
    assert _rule(real + "0") == "uscc_length"
    for bad in "IOSVZ*":
        assert _rule(real[:10] + bad + real[11:]) == "uscc_charset"
    digits_not = "91A40300708461136"
    assert _rule(digits_not + reference_check_character(digits_not)) == "uscc_region"
    for position in range(17):
        other = ALPHABET[(ALPHABET.index(real[position]) + 1) % 31]
        forged = real[:position] + other + real[position + 1 :]
        expected = "uscc_check_character" if forged[2:8].isdigit() else "uscc_region"
        assert _rule(forged) == expected, forged


def test_check_character_message_names_the_expected_one() -> None:
    with pytest.raises(UsccError) as caught:
        validate_uscc("91440300708461136A")
    assert caught.value.rule == "uscc_check_character"
    assert caught.value.en.endswith("expected T")
    assert caught.value.zh.endswith("T")


def test_authority_region() -> None:
    assert authority_region("91330106MA2XXXXXXQ") == "330106"
    assert authority_region("91440300708461136T") == "4403"
    assert authority_region("91110000802100433B") == "11"
    assert authority_region("91350100M000100Y43") == "3501"
    assert authority_region("91330100716105852F") == "3301"


# --- cursors -------------------------------------------------------------------------------

SECRET = "guard-test-secret-0123456789abcdef"


def _sign(payload: bytes, secret: str = SECRET) -> str:
    mac = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac + payload).rstrip(b"=").decode()


def _invalid_cursor(kind: str, cursor: str) -> None:
    with pytest.raises(AppError) as caught:
        decode_cursor(SECRET, kind, cursor)
    assert (caught.value.status, caught.value.code) == (400, "invalid_cursor")


def test_cursor_format_is_the_documented_one() -> None:
    cursor = encode_cursor(SECRET, "page:x", {"v": [1, "a"]})
    payload = b'{"kind":"page:x","v":[1,"a"]}'
    assert cursor == _sign(payload)
    assert "=" not in cursor
    assert decode_cursor(SECRET, "page:x", cursor) == {"kind": "page:x", "v": [1, "a"]}
    assert decode_cursor(SECRET, "page:x", _sign(payload)) == {"kind": "page:x", "v": [1, "a"]}
    dated = encode_cursor(SECRET, "k", {"d": date(2026, 1, 2)})
    assert decode_cursor(SECRET, "k", dated)["d"] == "2026-01-02"


def test_forged_cursors() -> None:
    payload = b'{"kind":"page:x","v":[1,"a"]}'
    good = _sign(payload)
    raw = base64.urlsafe_b64decode(good + "=" * (-len(good) % 4))
    mac = raw[:16]
    for forged in (
        base64.urlsafe_b64encode(bytes([mac[0] ^ 1]) + mac[1:] + payload).decode(),
        base64.urlsafe_b64encode(mac[:15] + bytes([mac[15] ^ 0x80]) + payload).decode(),
        base64.urlsafe_b64encode(bytes(16) + payload).decode(),
        _sign(payload, "another-secret-0123456789abcdefgh"),
        base64.urlsafe_b64encode(mac + payload.replace(b"1", b"2")).decode(),
        base64.urlsafe_b64encode(mac).decode(),  # the MAC alone
        base64.urlsafe_b64encode(mac[:10]).decode(),  # shorter than a MAC
        "",
        "not base64 at all!",
        "a",
    ):
        _invalid_cursor("page:x", forged)
    _invalid_cursor("page:y", good)  # signed, another kind
    _invalid_cursor("", good)
    for body in (b"[1, 2]", b"not json", b'"page:x"', b'{"v": 1}', b"\xff\xfe"):
        _invalid_cursor("page:x", _sign(body))


# --- If-Match -----------------------------------------------------------------------------


def test_if_match() -> None:
    assert parse_if_match(None) is None
    assert parse_if_match("*") is None
    assert parse_if_match(" * ") is None
    assert parse_if_match('"3"') == 3
    assert parse_if_match('W/"12"') == 12
    assert parse_if_match(" 7 ") == 7
    for bad in ('"a"', "W/", '""', '"-1"', "3.0", 'W/"x"', "**"):
        with pytest.raises(AppError) as caught:
            parse_if_match(bad)
        assert (caught.value.status, caught.value.code) == (400, "invalid_if_match")
    check_version(None, 5)
    check_version(5, 5)
    for expected in (4, 6, 0):
        with pytest.raises(AppError) as caught:
            check_version(expected, 5)
        assert (caught.value.status, caught.value.code) == (412, "version_mismatch")
        assert "5" in caught.value.detail_en
        assert "5" in caught.value.detail_zh
    assert etag(3) == '"3"'


# --- dates and times ------------------------------------------------------------------------


def _refused(adapter: TypeAdapter[Any], value: str, kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(value)
    assert caught.value.errors()[0]["type"] == kind, caught.value.errors()


def test_date_bounds() -> None:
    dates = TypeAdapter(BoundedDate)
    assert dates.validate_python("2000-01-01") == date(2000, 1, 1)
    assert dates.validate_python("2999-12-31") == date(2999, 12, 31)
    for value in ("1999-12-31", "3000-01-01", "0001-01-01", "9999-12-31"):
        _refused(dates, value, "date_out_of_range")
    times = TypeAdapter(BoundedDatetime)
    assert times.validate_python("2000-01-01T00:00:00Z") == datetime(2000, 1, 1, tzinfo=UTC)
    assert times.validate_python("2000-01-01T08:00:00+08:00") == datetime(2000, 1, 1, tzinfo=UTC)
    assert times.validate_python("2999-12-31T23:59:59Z").year == 2999
    assert times.validate_python("3000-01-01T07:59:59+08:00").year == 3000  # 2999 in UTC
    for value in (
        "1999-12-31T23:59:59Z",
        "2000-01-01T07:59:59+08:00",  # 1999 in UTC
        "3000-01-01T00:00:00Z",
        "2999-12-31T20:00:00-04:00",  # 3000 in UTC
        "1998-06-01T00:00:00Z",
        "3001-06-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
    ):
        _refused(times, value, "datetime_out_of_range")


def test_observed_moments_allow_five_minutes_of_skew() -> None:
    observed = TypeAdapter(ObservedDatetime)
    now = clock.utcnow()
    assert observed.validate_python((now + timedelta(minutes=4)).isoformat())
    assert observed.validate_python((now - timedelta(days=400)).isoformat())
    _refused(observed, (now + timedelta(minutes=6)).isoformat(), "datetime_in_future")
    _refused(observed, "1999-01-01T00:00:00Z", "datetime_out_of_range")
    with pytest.raises(ValidationError) as caught:
        observed.validate_python((now + timedelta(minutes=6)).isoformat())
    assert "5 minutes" in str(caught.value)


# --- scope ----------------------------------------------------------------------------------

DEPT_SECTORS = frozenset({"hazchem", "industry_trade"})
ENT = uuid.uuid4()


def who(role: Role, **kw: Any) -> Principal:
    return Principal(role=role, subject=f"t-{role.value}", permissions=POLICY[role], **kw)


def _sql(expr: Any) -> str:
    return str(expr.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_region_ranges() -> None:
    assert region_upper_bound("330106") == "330107"
    assert region_upper_bound("330106004") == "330106005"
    assert region_upper_bound("3301") == "3302"
    assert region_upper_bound("33") == "34"
    assert region_upper_bound("330109") == "33010:"  # after every 33010 9xx code
    sql = _sql(region_subtree(Enterprise.region_code, "330106004"))
    assert sql == ("enterprise.region_code >= '330106004' AND enterprise.region_code < '330106005'")


def test_unit_scope_per_role() -> None:
    args = {"region": Enterprise.region_code, "sectors": Enterprise.sectors}
    assert _sql(unit_scope(who(Role.admin), enterprise_id=Enterprise.id, **args)) == "true"
    assert _sql(unit_scope(who(Role.expert), enterprise_id=Enterprise.id, **args)) == "false"
    assert (
        _sql(unit_scope(who(Role.enterprise_user), enterprise_id=Enterprise.id, **args)) == "false"
    )
    own = _sql(
        unit_scope(
            who(Role.enterprise_user, enterprise_id=ENT), enterprise_id=Enterprise.id, **args
        )
    )
    assert own == f"enterprise.id = '{ENT}'"
    town = _sql(
        unit_scope(who(Role.town_official, region_code="330106004"), enterprise_id=None, **args)
    )
    assert "enterprise.region_code >= '330106004'" in town
    assert "enterprise.region_code < '330106005'" in town
    assert "&&" not in town  # a town's officials see every sector
    assert _sql(unit_scope(who(Role.town_official), enterprise_id=None, **args)) == "false"
    dept = _sql(
        unit_scope(
            who(Role.department_official, region_code="330106", sectors=DEPT_SECTORS),
            enterprise_id=None,
            **args,
        )
    )
    assert "enterprise.region_code < '330107'" in dept
    assert "enterprise.sectors && ARRAY['hazchem', 'industry_trade']" in dept
    every = _sql(
        unit_scope(who(Role.department_official, region_code="330106"), enterprise_id=None, **args)
    )
    assert "&&" not in every  # sectors None: every sector
    system = _sql(unit_scope(who(Role.system, sectors=DEPT_SECTORS), enterprise_id=None, **args))
    assert "region_code" not in system
    assert "&&" in system
    committee = _sql(
        unit_scope(
            who(Role.committee_office, region_code="330106", sectors=DEPT_SECTORS),
            enterprise_id=None,
            **args,
        )
    )
    assert "&&" not in committee  # not sector-bound


def test_region_scope() -> None:
    column = Enterprise.region_code
    assert _sql(region_scope(who(Role.admin, region_code="330106"), column)) == "true"
    assert _sql(region_scope(who(Role.system), column)) == "true"
    assert _sql(region_scope(who(Role.town_official), column)) == "false"
    assert _sql(region_scope(who(Role.inspector, region_code="330106"), column)) == (
        "enterprise.region_code >= '330106' AND enterprise.region_code < '330107'"
    )


WRITE_CASES = [
    # role, principal fields, (region, sectors, enterprise) of the unit, writable?
    (Role.admin, {}, ("330105001", ["coal"], None), True),
    (Role.expert, {"region_code": "330106"}, ("330106002", ["hazchem"], None), False),
    (Role.enterprise_user, {"enterprise_id": ENT}, ("330106002", ["hazchem"], ENT), True),
    (Role.enterprise_user, {"enterprise_id": ENT}, ("330106002", ["hazchem"], uuid.uuid4()), False),
    (Role.enterprise_user, {"enterprise_id": ENT}, ("330106002", ["hazchem"], None), False),
    (Role.enterprise_user, {}, ("330106002", ["hazchem"], None), False),
    (Role.town_official, {"region_code": "330106004"}, ("330106004", ["coal"], None), True),
    (Role.town_official, {"region_code": "330106004"}, ("330106005", ["coal"], None), False),
    (Role.town_official, {}, ("330106004", ["coal"], None), False),
    (
        Role.committee_office,
        {"region_code": "330106", "sectors": DEPT_SECTORS},
        ("330106002", ["coal"], None),
        True,
    ),
    (
        Role.department_official,
        {"region_code": "330106", "sectors": DEPT_SECTORS},
        ("330106002", ["fire", "hazchem"], None),
        True,
    ),
    (
        Role.department_official,
        {"region_code": "330106", "sectors": DEPT_SECTORS},
        ("330106002", ["fire"], None),
        False,
    ),
    (
        Role.department_official,
        {"region_code": "330106", "sectors": DEPT_SECTORS},
        ("330105001", ["hazchem"], None),
        False,
    ),
    (Role.department_official, {"region_code": "330106"}, ("330106002", ["coal"], None), True),
    (
        Role.inspector,
        {"region_code": "330106", "sectors": DEPT_SECTORS},
        ("330106002", ["gas"], None),
        False,
    ),
    (Role.system, {"sectors": DEPT_SECTORS}, ("330105001", ["industry_trade"], None), True),
    (Role.system, {"sectors": DEPT_SECTORS}, ("330105001", ["coal"], None), False),
    (Role.system, {"region_code": "330106"}, ("330105001", ["coal"], None), False),
]


@pytest.mark.parametrize(("role", "fields", "unit", "writable"), WRITE_CASES)
def test_unit_write_scope(
    role: Role, fields: dict[str, Any], unit: tuple[str, list[str], Any], writable: bool
) -> None:
    principal = who(role, **fields)
    region, sectors, enterprise = unit
    assert (
        unit_in_scope(principal, region_code=region, sectors=sectors, enterprise_id=enterprise)
        is writable
    )
    if writable:
        ensure_unit_writable(
            principal,
            region_code=region,
            sectors=sectors,
            enterprise_id=enterprise,
            what="Unit",
            what_zh="单位",
        )
        return
    with pytest.raises(AppError) as caught:
        ensure_unit_writable(
            principal,
            region_code=region,
            sectors=sectors,
            enterprise_id=enterprise,
            what="Unit",
            what_zh="单位",
        )
    assert (caught.value.status, caught.value.code) == (404, "out_of_scope")
    assert caught.value.detail_en == "Unit not found in your scope"
    assert caught.value.detail_zh == "单位不在您的管辖范围内"


def test_require() -> None:
    require(who(Role.inspector), "hazard:report")
    with pytest.raises(AppError) as caught:
        require(who(Role.inspector), "hazard:cancel")
    assert (caught.value.status, caught.value.code) == (403, "permission_denied")
    assert "inspector" in caught.value.detail_en
    assert "hazard:cancel" in caught.value.detail_zh


# --- principal cache --------------------------------------------------------------------------


def test_principal_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("app.auth.cache.time.monotonic", lambda: now[0])
    a, b = who(Role.admin), who(Role.expert)
    stamp_a, stamp_b = (1, True), (2, False)
    off = PrincipalCache(0)
    off.put("x", a, stamp_a)
    assert off.get("x") is None
    cache = PrincipalCache(10)
    assert cache.get("x") is None
    cache.put("x", a, stamp_a)
    cache.put("y", b, stamp_b)
    assert cache.get("x") == (a, stamp_a)
    assert cache.get("y") == (b, stamp_b)
    now[0] = 1010.0  # exactly the lifetime: still fresh
    assert cache.get("x") == (a, stamp_a)
    now[0] = 1010.5
    assert cache.get("x") is None
    cache.put("x", b, stamp_b)
    assert cache.get("x") == (b, stamp_b)
    cache.drop("x")
    assert cache.get("x") is None
    monkeypatch.setattr("app.auth.cache._MAX_ENTRIES", 2)
    small = PrincipalCache(10)
    small.put("1", a, stamp_a)
    small.put("2", a, stamp_a)
    assert small.get("1") == (a, stamp_a)
    small.put("3", b, stamp_b)  # full: emptied, then this one
    assert (small.get("1"), small.get("2"), small.get("3")) == (None, None, (b, stamp_b))


def test_principal_can() -> None:
    assert who(Role.admin).can("api_key:manage")
    assert not who(Role.inspector).can("api_key:manage")
    assert who(Role.inspector).actor_label == "inspector:t-inspector"


# --- the hazard transition table and who may take each step (domain.md, steps 1-14) -------------

S = (
    "reported",
    "registered",
    "planning",
    "rectifying",
    "extension_requested",
    "pending_verification",
    "escalated",
    "closed",
    "cancelled",
)
OPEN = set(S) - {"closed", "cancelled"}
# action: (allowed from, 409 code)
LIFECYCLE: dict[str, tuple[set[str], str]] = {
    "register": ({"reported"}, "hazard_not_reported"),
    "regrade": ({"registered"}, "hazard_not_registered"),
    "fix_on_spot": ({"registered"}, "hazard_not_registered"),
    "order_rectification": ({"registered"}, "hazard_not_registered"),
    "report_major": ({"registered"}, "hazard_not_registered"),
    "list": (
        {"planning", "rectifying", "extension_requested", "escalated"},
        "hazard_not_in_treatment",
    ),
    "submit_plan": ({"planning"}, "hazard_not_planning"),
    "report_progress": ({"rectifying", "escalated"}, "hazard_not_rectifying"),
    "request_extension": ({"rectifying"}, "hazard_not_rectifying"),
    "approve_extension": ({"extension_requested"}, "hazard_no_extension_requested"),
    "reject_extension": ({"extension_requested"}, "hazard_no_extension_requested"),
    "declare_completion": ({"rectifying", "escalated"}, "hazard_not_rectifying"),
    "accept": ({"pending_verification"}, "hazard_not_pending_verification"),
    "reject_acceptance": ({"pending_verification"}, "hazard_not_pending_verification"),
    "escalate": ({"rectifying", "escalated"}, "hazard_not_rectifying"),
    "cancel": (OPEN, "hazard_not_open"),
    "link_relapse": (OPEN, "hazard_not_open"),
    "assign_experts": (OPEN, "hazard_not_open"),
}


def _hazard(status: str = "registered", source: str = "departmental") -> Hazard:
    return Hazard(status=status, source=source)


@pytest.mark.parametrize("action", sorted(LIFECYCLE))
def test_transition_table(action: str) -> None:
    allowed, code = LIFECYCLE[action]
    for status in S:
        if status in allowed:
            check_transition(_hazard(status), action)
            continue
        with pytest.raises(AppError) as caught:
            check_transition(_hazard(status), action)
        assert (caught.value.status, caught.value.code) == (409, code), (action, status)
        assert status in caught.value.detail_en
        assert ", ".join(sorted(allowed)) in caught.value.detail_en


ENTERPRISE_ACTIONS = {
    "register",
    "fix_on_spot",
    "order_rectification",
    "report_major",
    "submit_plan",
    "report_progress",
    "request_extension",
    "declare_completion",
    "accept",
    "cancel",
}
SELF_FOUND_ONLY = {"register", "order_rectification", "accept"}
EXPERT_ACTIONS = {"accept", "reject_acceptance"}
# an inspector reports, registers, manages and accepts (hazard:report|register|manage|accept)
INSPECTOR_REFUSED = {
    "list",
    "approve_extension",
    "reject_extension",
    "escalate",
    "cancel",
    "assign_experts",
}


def _forbidden(principal: Principal, hz: Hazard, action: str) -> str:
    with pytest.raises(AppError) as caught:
        authorize(principal, hz, action)
    assert caught.value.status == 403
    assert caught.value.detail_en
    assert caught.value.detail_zh != caught.value.detail_en
    return caught.value.code


@pytest.mark.parametrize("action", sorted(LIFECYCLE))
def test_who_may_act(action: str) -> None:
    ent = who(Role.enterprise_user, enterprise_id=ENT)
    ordered, self_found = _hazard(), _hazard(source="self_inspection")
    if action in ENTERPRISE_ACTIONS:
        assert authorize(ent, self_found, action).permission
        if action in SELF_FOUND_ONLY:
            assert _forbidden(ent, ordered, action) == "hazard_not_self_found"
        else:
            authorize(ent, ordered, action)
    else:
        assert _forbidden(ent, self_found, action) == "hazard_action_not_for_enterprise"
    expert = who(Role.expert)
    if action in EXPERT_ACTIONS:
        authorize(expert, ordered, action)
    else:
        assert _forbidden(expert, ordered, action) in (
            "hazard_action_not_for_expert",
            "permission_denied",
        )
    inspector = who(Role.inspector)
    if action in INSPECTOR_REFUSED:
        assert _forbidden(inspector, ordered, action) == "permission_denied"
    else:
        authorize(inspector, ordered, action)
    for role in (Role.admin, Role.committee_office, Role.department_official, Role.town_official):
        authorize(who(role), ordered, action)
    no_rights = Principal(role=Role.enterprise_user, subject="none", enterprise_id=ENT)
    if action in ENTERPRISE_ACTIONS:
        assert _forbidden(no_rights, self_found, action) == "permission_denied"


# --- what the first mutation run showed untested ------------------------------------------------


def test_enterprise_cancel_needs_report_and_other_steps_self_manage() -> None:
    """An enterprise user cancels with hazard:report and takes the other steps with
    hazard:self_manage: each permission alone allows exactly its part."""
    hz = _hazard(source="self_inspection")
    report_only = Principal(
        role=Role.enterprise_user,
        subject="r",
        enterprise_id=ENT,
        permissions=frozenset({"hazard:report"}),
    )
    manage_only = Principal(
        role=Role.enterprise_user,
        subject="m",
        enterprise_id=ENT,
        permissions=frozenset({"hazard:self_manage"}),
    )
    authorize(report_only, hz, "cancel")
    assert _forbidden(report_only, hz, "register") == "permission_denied"
    assert _forbidden(manage_only, hz, "cancel") == "permission_denied"
    authorize(manage_only, hz, "register")


def test_transition_refusal_names_the_status_in_both_languages() -> None:
    with pytest.raises(AppError) as caught:
        check_transition(_hazard("closed"), "cancel")
    assert "closed" in caught.value.detail_zh
    assert caught.value.detail_zh != caught.value.detail_en


def test_unit_scope_exact_sql() -> None:
    args = {"region": Enterprise.region_code, "sectors": Enterprise.sectors}
    town = unit_scope(who(Role.town_official, region_code="330106004"), enterprise_id=None, **args)
    assert _sql(town) == (
        "enterprise.region_code >= '330106004' AND enterprise.region_code < '330106005'"
    )
    system = unit_scope(who(Role.system), enterprise_id=None, **args)
    assert _sql(system) == "true"


@pytest.mark.parametrize("size", range(6))
def test_cursor_padding(size: int) -> None:
    """Every length of payload (0, 1 or 2 padding characters dropped) round-trips."""
    data = {"v": ["x" * size]}
    cursor = encode_cursor(SECRET, "k", data)
    payload = json.dumps({"kind": "k", **data}, separators=(",", ":")).encode()
    assert cursor == _sign(payload)
    assert not cursor.endswith("=")
    assert decode_cursor(SECRET, "k", cursor) == {"kind": "k", **data}


def test_cursor_refusal_text() -> None:
    with pytest.raises(AppError) as caught:
        decode_cursor(SECRET, "k", "x")
    assert caught.value.detail_en == "The cursor is invalid or belongs to another query"
    assert caught.value.detail_zh == "分页游标无效或不属于本次查询"


def test_if_match_texts_and_letters() -> None:
    for bad in ('W/"X4"', '"X"', 'X"3"X'):
        with pytest.raises(AppError) as caught:
            parse_if_match(bad)
        assert caught.value.code == "invalid_if_match", bad
    assert caught.value.detail_en == "If-Match must be the ETag of the resource"
    assert caught.value.detail_zh == "If-Match 必须是资源的 ETag"
    with pytest.raises(AppError) as stale:
        check_version(1, 7)
    assert stale.value.detail_en == (
        "The resource has changed (version 7); reload it and try again"
    )
    assert stale.value.detail_zh == "资源已被修改（当前版本 7），请刷新后重试"


def test_bound_messages() -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(BoundedDate).validate_python("1999-12-31")
    error = caught.value.errors()[0]
    assert error["msg"] == "Date must be from 2000-01-01 to 2999-12-31"
    assert error["ctx"] == {"earliest": "2000-01-01", "latest": "2999-12-31"}
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(BoundedDatetime).validate_python("3000-01-01T00:00:00Z")
    error = caught.value.errors()[0]
    assert error["msg"] == (
        "Date and time must be from 2000-01-01T00:00:00Z to before 3000-01-01T00:00:00Z"
    )
    assert error["ctx"] == {"earliest": "2000-01-01T00:00:00Z", "end": "3000-01-01T00:00:00Z"}
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(ObservedDatetime).validate_python("2999-01-01T00:00:00Z")
    error = caught.value.errors()[0]
    assert error["msg"] == "Must not be later than now (allowing 5 minutes of clock skew)"
    assert error["ctx"] == {"minutes": 5}


def test_a_local_year_outside_the_range_can_be_inside_it_in_utc() -> None:
    times = TypeAdapter(BoundedDatetime)
    assert times.validate_python("1999-12-31T20:00:00-05:00") == datetime(2000, 1, 1, 1, tzinfo=UTC)


def test_observed_exactly_at_the_skew_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr("app.core.timebounds.utcnow", lambda: fixed)
    observed = TypeAdapter(ObservedDatetime)
    assert observed.validate_python("2026-12-01T12:05:00Z") == fixed + timedelta(minutes=5)
    _refused(observed, "2026-12-01T12:05:00.000001Z", "datetime_in_future")


def test_a_one_second_cache_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.auth.cache.time.monotonic", lambda: 50.0)
    for ttl in (1, 0.5):
        cache = PrincipalCache(ttl)
        cache.put("k", who(Role.admin), (1,))
        assert cache.get("k") is not None, ttl
