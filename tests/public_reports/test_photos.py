"""Photos from the public: type sniffed from the bytes, metadata stripped, one report each."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from httpx import AsyncClient

from tests.factories import TOWN
from tests.public_reports.builders import Token, find_report, setup_county, submit
from tests.public_reports.conftest import tune

URL = "/api/v1/public-reports"
SCAN = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\x34\x56\x78" * 8 + b"\xff\xd9"


def jpeg_with_exif() -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    exif_body = b"Exif\x00\x00GPS 30.2591N 120.1301E SERIAL-XYZ-123"
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif_body) + 2) + exif_body
    comment = b"\xff\xfe" + struct.pack(">H", 2 + 9) + b"by Wang X"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(64))
    return b"\xff\xd8" + app0 + app1 + comment + dqt + SCAN


def png_with_text() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"tEXt", b"Author\x00Wang X")
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


async def _upload(
    client: AsyncClient, data: bytes, status: int = 201, name: str = "p.jpg"
) -> dict[str, Any]:
    response = await client.post(f"{URL}/photos", files={"file": (name, data, "image/jpeg")})
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_photos_are_cleaned_linked_and_shown_to_handlers(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    jpeg = await _upload(client, jpeg_with_exif())
    png = await _upload(client, png_with_text(), name="p.png")
    assert jpeg["content_type"] == "image/jpeg"
    assert png["content_type"] == "image/png"
    receipt = await submit(
        client, region_code=TOWN, subject_name="某仓库", photo_ids=[jpeg["id"], png["id"]]
    )
    report = await find_report(client, county.tokens["committee"], receipt["receipt_code"])
    assert report["photo_ids"] == [jpeg["id"], png["id"]]
    got = await client.get(
        f"{URL}/{report['id']}/photos/{jpeg['id']}", headers=county.tokens["committee"]
    )
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    body = got.content
    assert body.startswith(b"\xff\xd8\xff\xe0")
    assert body.endswith(SCAN)
    for secret in (b"Exif", b"SERIAL", b"Wang"):
        assert secret not in body
    png_body = (
        await client.get(
            f"{URL}/{report['id']}/photos/{png['id']}", headers=county.tokens["committee"]
        )
    ).content
    assert b"IDAT" in png_body
    assert b"tEXt" not in png_body
    assert b"Wang" not in png_body
    # Only those who see the report see its photos.
    hidden = await client.get(
        f"{URL}/{report['id']}/photos/{jpeg['id']}", headers=county.tokens["housing"]
    )
    assert hidden.status_code == 404
    assert (await client.get(f"{URL}/{report['id']}/photos/{jpeg['id']}")).status_code == 401
    # A photo serves one report; unknown ids are refused.
    reused = await client.post(
        URL,
        json={
            "channel": "web",
            "category": "major_hazard",
            "region_code": TOWN,
            "subject_name": "x",
            "content": "再次使用照片",
            "anonymous": True,
            "photo_ids": [jpeg["id"]],
        },
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "photo_not_found"


async def test_photo_type_size_and_rate_checks(app: Any, client: AsyncClient) -> None:
    assert (await _upload(client, b"GIF89a" + b"\x00" * 40, 415))[
        "code"
    ] == "photo_type_unsupported"
    assert (await _upload(client, b"%PDF-1.7\n" + b"x" * 40, 415))[
        "code"
    ] == "photo_type_unsupported"
    assert (await _upload(client, jpeg_with_exif()[:30], 422))["code"] == "photo_unreadable"
    tune(app, public_report_max_photo_bytes=1024)
    assert (await _upload(client, jpeg_with_exif() + b"\x00" * 2000, 413))[
        "code"
    ] == "photo_too_large"
    tune(app, public_report_max_photo_bytes=10_000_000, public_report_photo_per_window=1)
    here = {"X-Forwarded-For": "203.0.113.99"}
    files = {"file": ("p.jpg", jpeg_with_exif(), "image/jpeg")}
    assert (await client.post(f"{URL}/photos", files=files, headers=here)).status_code == 201
    assert (await client.post(f"{URL}/photos", files=files, headers=here)).status_code == 429
