"""A short round trip through a generated Python client against a running server.

``python clients/roundtrip.py {opc|ogpy} BASE_URL TOKEN`` with the generated package installed
(``anjian_api_client`` from openapi-python-client, ``anjian_api`` from openapi-generator):
create an enterprise with an Idempotency-Key and replay it, read it and PATCH it with If-Match
from its ETag, read a 412 and a 422 as typed Problem objects, upload a photo and download it
byte-identical, page a list with the cursor. Exits non-zero on the first failure.
"""

from __future__ import annotations

import random
import sys
import uuid
import zlib
from struct import pack
from typing import Any

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TOWN = "330106002"


def uscc() -> str:
    body = "91330106" + "".join(random.choice(CHARSET) for _ in range(9))
    total = sum(CHARSET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + CHARSET[(31 - total % 31) % 31]


def wrong_uscc() -> str:
    """A well-formed code whose check character is wrong (422 uscc_check_character)."""
    good = uscc()
    return good[:17] + ("1" if good[17] == "0" else "0")


def png() -> bytes:
    """A real 2×2 PNG, different on every run."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    pixels = bytes(random.randrange(256) for _ in range(12))
    raw = b"\x00" + pixels[:6] + b"\x00" + pixels[6:]
    header = pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def header(headers: Any, name: str) -> str | None:
    """A response header, whatever case the client kept its name in."""
    return {k.lower(): v for k, v in dict(headers or {}).items()}.get(name.lower())


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"round trip failed: {what}")
    print(f"  ok  {what}")


def run_opc(base_url: str, token: str) -> None:
    from anjian_api_client import AuthenticatedClient
    from anjian_api_client.api.attachments import download_attachment, upload_attachment
    from anjian_api_client.api.enterprises import (
        create_enterprise,
        get_enterprise,
        list_enterprises,
        update_enterprise,
    )
    from anjian_api_client.api.hazards import create_hazard
    from anjian_api_client.models import (
        AttachmentRead,
        EnterpriseCreate,
        EnterpriseRead,
        EnterpriseUpdate,
        HazardCreate,
        HazardRead,
        Problem,
        UploadAttachmentForm,
    )
    from anjian_api_client.types import File

    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    name = f"往返测试化工 {uuid.uuid4().hex[:6]}"
    body = EnterpriseCreate.from_dict(
        {"uscc": uscc(), "name": name, "region_code": TOWN, "sectors": ["hazchem"]}
    )
    key = str(uuid.uuid4())
    first = create_enterprise.sync_detailed(client=client, body=body, idempotency_key=key)
    check(first.status_code == 201 and isinstance(first.parsed, EnterpriseRead), "create: 201")
    replay = create_enterprise.sync_detailed(client=client, body=body, idempotency_key=key)
    check(
        header(replay.headers, "Idempotent-Replayed") == "true"
        and isinstance(replay.parsed, EnterpriseRead)
        and replay.parsed.id == first.parsed.id,
        "create replayed with the same Idempotency-Key",
    )
    enterprise_id = first.parsed.id
    read = get_enterprise.sync_detailed(enterprise_id, client=client)
    etag = header(read.headers, "ETag")
    check(isinstance(read.parsed, EnterpriseRead) and etag == '"1"', "read with ETag")
    patched = update_enterprise.sync_detailed(
        enterprise_id,
        client=client,
        body=EnterpriseUpdate.from_dict({"address": "文三路 100 号"}),
        if_match=etag,
    )
    check(
        isinstance(patched.parsed, EnterpriseRead)
        and patched.parsed.address == "文三路 100 号"
        and header(patched.headers, "ETag") == '"2"',
        "PATCH with If-Match",
    )
    stale = update_enterprise.sync_detailed(
        enterprise_id,
        client=client,
        body=EnterpriseUpdate.from_dict({"address": "x"}),
        if_match=etag,
        accept_language="en",
    )
    check(
        stale.status_code == 412
        and isinstance(stale.parsed, Problem)
        and stale.parsed.code == "version_mismatch",
        "stale If-Match: 412 as a typed Problem",
    )
    bad = create_enterprise.sync_detailed(
        client=client,
        body=EnterpriseCreate.from_dict(
            {"uscc": wrong_uscc(), "name": name, "region_code": TOWN, "sectors": ["hazchem"]}
        ),
    )
    problem = bad.parsed
    check(
        bad.status_code == 422
        and isinstance(problem, Problem)
        and isinstance(problem.errors, list)
        and problem.errors[0].loc == ["body", "uscc"],
        f"422 as a typed Problem with errors[] ({getattr(problem, 'code', None)})",
    )
    hazard = create_hazard.sync_detailed(
        client=client,
        body=HazardCreate.from_dict(
            {
                "enterprise_id": str(enterprise_id),
                "title": "消防通道堵塞",
                "sector": "hazchem",
                "category": "management_defect",
                "source": "self_inspection",
            }
        ),
    )
    check(isinstance(hazard.parsed, HazardRead), "hazard created")
    photo = png()
    uploaded = upload_attachment.sync_detailed(
        client=client,
        body=UploadAttachmentForm(
            file=File(payload=photo, file_name="site.png", mime_type="image/png"),
            hazard_id=hazard.parsed.id,
        ),
    )
    check(isinstance(uploaded.parsed, AttachmentRead), "photo uploaded (multipart, binary)")
    content = download_attachment.sync_detailed(uploaded.parsed.id, client=client)
    check(
        isinstance(content.parsed, File) and content.parsed.payload.read() == photo,
        "photo downloaded byte-identical",
    )
    create_enterprise.sync_detailed(
        client=client,
        body=EnterpriseCreate.from_dict(
            {"uscc": uscc(), "name": name + " 二厂", "region_code": TOWN, "sectors": ["hazchem"]}
        ),
    )
    seen: list[Any] = []
    cursor: str | None = None
    for _ in range(10):
        page = list_enterprises.sync_detailed(client=client, q=name, limit=1, cursor=cursor)
        if page.parsed is None or isinstance(page.parsed, Problem):
            raise SystemExit(f"round trip failed: list answered {page.status_code}")
        seen.extend(item.id for item in page.parsed.items)
        cursor = page.parsed.next_cursor if isinstance(page.parsed.next_cursor, str) else None
        if cursor is None:
            break
    check(len(seen) == 2 and len(set(seen)) == 2, "list paged with the cursor (2 pages)")


def run_ogpy(base_url: str, token: str) -> None:
    import anjian_api
    from anjian_api.exceptions import ApiException

    config = anjian_api.Configuration(host=base_url)
    api_client = anjian_api.ApiClient(config)
    api_client.set_default_header("Authorization", f"Bearer {token}")
    enterprises = anjian_api.EnterprisesApi(api_client)
    name = f"往返测试化工 {uuid.uuid4().hex[:6]}"
    body = anjian_api.EnterpriseCreate.from_dict(
        {"uscc": uscc(), "name": name, "region_code": TOWN, "sectors": ["hazchem"]}
    )
    key = str(uuid.uuid4())
    first = enterprises.create_enterprise_with_http_info(body, idempotency_key=key)
    check(first.status_code == 201, "create: 201")
    replay = enterprises.create_enterprise_with_http_info(body, idempotency_key=key)
    check(
        header(replay.headers, "Idempotent-Replayed") == "true" and replay.data.id == first.data.id,
        "create replayed with the same Idempotency-Key",
    )
    enterprise_id = first.data.id
    read = enterprises.get_enterprise_with_http_info(enterprise_id)
    etag = header(read.headers, "ETag")
    check(isinstance(read.data, anjian_api.EnterpriseRead) and etag == '"1"', "read with ETag")
    patched = enterprises.update_enterprise_with_http_info(
        enterprise_id,
        # the constructor, not from_dict: from_dict marks every field as set and sends nulls
        anjian_api.EnterpriseUpdate(address="文三路 100 号"),
        if_match=etag,
    )
    check(
        patched.data.address == "文三路 100 号" and header(patched.headers, "ETag") == '"2"',
        "PATCH with If-Match",
    )
    try:
        enterprises.update_enterprise(
            enterprise_id,
            anjian_api.EnterpriseUpdate(address="x"),
            if_match=etag,
            accept_language="en",
        )
        raise SystemExit("round trip failed: a stale If-Match was accepted")
    except ApiException as exc:
        check(
            exc.status == 412
            and isinstance(exc.data, anjian_api.Problem)
            and exc.data.code == "version_mismatch",
            "stale If-Match: 412 as a typed Problem",
        )
    try:
        enterprises.create_enterprise(
            anjian_api.EnterpriseCreate.from_dict(
                {
                    "uscc": wrong_uscc(),
                    "name": name,
                    "region_code": TOWN,
                    "sectors": ["hazchem"],
                }
            )
        )
        raise SystemExit("round trip failed: a wrong credit code was accepted")
    except ApiException as exc:
        problem = exc.data
        check(
            exc.status == 422
            and isinstance(problem, anjian_api.Problem)
            and bool(problem.errors)
            and [loc.actual_instance for loc in problem.errors[0].loc] == ["body", "uscc"],
            f"422 as a typed Problem with errors[] ({getattr(problem, 'code', None)})",
        )
    hazard = anjian_api.HazardsApi(api_client).create_hazard(
        anjian_api.HazardCreate.from_dict(
            {
                "enterprise_id": str(enterprise_id),
                "title": "消防通道堵塞",
                "sector": "hazchem",
                "category": "management_defect",
                "source": "self_inspection",
            }
        )
    )
    attachments = anjian_api.AttachmentsApi(api_client)
    photo = png()
    uploaded = attachments.upload_attachment(("site.png", photo), hazard_id=hazard.id)
    check(uploaded.size_bytes == len(photo), "photo uploaded (multipart, binary)")
    content = attachments.download_attachment(uploaded.id)
    check(bytes(content) == photo, "photo downloaded byte-identical")
    enterprises.create_enterprise(
        anjian_api.EnterpriseCreate.from_dict(
            {"uscc": uscc(), "name": name + " 二厂", "region_code": TOWN, "sectors": ["hazchem"]}
        )
    )
    seen: list[Any] = []
    cursor = None
    for _ in range(10):
        page = enterprises.list_enterprises(q=name, limit=1, cursor=cursor)
        seen.extend(item.id for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    check(len(seen) == 2 and len(set(seen)) == 2, "list paged with the cursor (2 pages)")


if __name__ == "__main__":
    flavour, url, bearer = sys.argv[1:4]
    print(f"round trip through the {flavour} client at {url}")
    {"opc": run_opc, "ogpy": run_ogpy}[flavour](url, bearer)
