"""Attachments through HTTP: upload checks (type from bytes 415, size 413), hash, scope."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from httpx import AsyncClient

from tests.factories import create_enterprise
from tests.hazards.builders import JPEG, PDF, PNG, WEBP, World, make_world


async def test_upload_metadata_and_download(
    client: AsyncClient, token: Callable[..., dict[str, str]], admin: dict[str, str]
) -> None:
    world = await make_world(client, token, admin)
    hz = await world.hazard()
    for data, mime, name in (
        (PNG, "image/png", "现场.png"),
        (JPEG, "image/jpeg", "a.jpg"),
        (WEBP, "image/webp", "b.webp"),
        (PDF, "application/pdf", "指令书.pdf"),
    ):
        r = await world.upload(
            hz["id"], purpose="document", data=data, filename=name, headers=world.enterprise_user
        )
        assert r.status_code == 201, r.text
        meta = r.json()
        assert meta["content_type"] == mime
        assert meta["size_bytes"] == len(data)
        assert meta["sha256"] == hashlib.sha256(data).hexdigest()
        assert meta["filename"] == name
        assert meta["hazard_id"] == hz["id"]
        assert r.headers["location"] == f"/api/v1/attachments/{meta['id']}"
    got = await client.get(f"/api/v1/attachments/{meta['id']}", headers=world.dept)
    assert got.status_code == 200
    assert got.json()["sha256"] == meta["sha256"]
    content = await client.get(f"/api/v1/attachments/{meta['id']}/content", headers=world.dept)
    assert content.status_code == 200
    assert content.content == PDF
    assert content.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in content.headers["content-disposition"]
    listed = await client.get(
        "/api/v1/attachments", params={"hazard_id": hz["id"]}, headers=world.enterprise_user
    )
    assert len(listed.json()["items"]) == 4


async def test_upload_refusals(world: World) -> None:
    hz = await world.hazard()
    r = await world.upload(hz["id"], data=b"GIF89a" + b"\x00" * 40, filename="x.gif")
    assert r.status_code == 415
    assert r.json()["code"] == "attachment_type_unsupported"
    r = await world.upload(hz["id"], data=b"<html>not a png</html>", filename="x.png")
    assert r.status_code == 415  # the name and declared type do not matter, the bytes do
    r = await world.upload(hz["id"], data=b"", filename="empty.png")
    assert r.status_code == 415
    big = PNG + b"\x00" * (512 * 1024)  # the test settings allow 512 KiB
    r = await world.upload(hz["id"], data=big, filename="big.png")
    assert r.status_code == 413
    r = await world.upload(str(uuid.uuid4()))  # an unknown hazard_id: the reference rule
    assert r.status_code == 422
    assert r.json()["code"] == "reference_not_found"
    r = await world.client.post(
        "/api/v1/attachments",
        data={"purpose": "after"},
        files={"file": ("a.png", PNG, "image/png")},
        headers=world.admin,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "attachment_target_required"
    r = await world.client.post(
        "/api/v1/attachments", data={"hazard_id": hz["id"]}, headers=world.admin
    )
    assert r.status_code == 422  # no file
    r = await world.upload(hz["id"], purpose="selfie")
    assert r.status_code == 422
    no_auth = await world.client.post(
        "/api/v1/attachments",
        data={"hazard_id": hz["id"]},
        files={"file": ("a.png", PNG, "image/png")},
    )
    assert no_auth.status_code == 401


async def test_link_to_an_event(world: World) -> None:
    hz = await world.rectifying()
    events = await world.client.get(f"/api/v1/hazards/{hz['id']}/events", headers=world.dept)
    event_id = events.json()["items"][-1]["id"]
    r = await world.client.post(
        "/api/v1/attachments",
        data={"hazard_event_id": event_id, "purpose": "document"},
        files={"file": ("order.pdf", PDF, "application/pdf")},
        headers=world.dept,
    )
    assert r.status_code == 201, r.text
    assert r.json()["hazard_event_id"] == event_id
    assert r.json()["hazard_id"] == hz["id"]
    other = await world.hazard()
    r = await world.client.post(
        "/api/v1/attachments",
        data={"hazard_event_id": event_id, "hazard_id": other["id"]},
        files={"file": ("order.pdf", PDF, "application/pdf")},
        headers=world.dept,
    )
    assert r.status_code == 404
    assert r.json()["code"] == "hazard_event_not_found"
    listed = await world.client.get(
        "/api/v1/attachments",
        params={"hazard_id": hz["id"], "hazard_event_id": event_id},
        headers=world.dept,
    )
    assert [a["hazard_event_id"] for a in listed.json()["items"]] == [event_id]


async def test_served_only_to_who_sees_the_hazard(world: World) -> None:
    hz = await world.hazard()
    photo = await world.photo(hz["id"])
    other_ent = await create_enterprise(world.client, world.admin)
    outsider = world.token("enterprise_user", enterprise_id=other_ent["id"])
    for path in (f"/api/v1/attachments/{photo}", f"/api/v1/attachments/{photo}/content"):
        r = await world.client.get(path, headers=outsider)
        assert r.status_code == 404
        assert r.json()["code"] == "attachment_not_found"
        assert (await world.client.get(path, headers=world.enterprise_user)).status_code == 200
    r = await world.client.get(
        "/api/v1/attachments", params={"hazard_id": hz["id"]}, headers=outsider
    )
    assert r.status_code == 404
    r = await world.upload(hz["id"], headers=outsider)
    assert r.status_code == 422
    assert r.json()["code"] == "reference_not_found"
    expert = world.token("expert")
    assert (
        await world.client.get(f"/api/v1/attachments/{photo}", headers=expert)
    ).status_code == 404
