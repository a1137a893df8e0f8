"""Reading the PDFs back: text (pypdf), images, and the response checks every print shares."""

from __future__ import annotations

import io
import re

from httpx import Response
from PIL import Image
from pypdf import PdfReader


def pdf_text(response: Response) -> str:
    """The text of every page, whitespace removed (table cells wrap anywhere)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def image_count(response: Response) -> int:
    reader = PdfReader(io.BytesIO(response.content))
    return sum(len(page.images) for page in reader.pages)


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def signature_png() -> bytes:
    """A real (small) PNG of a signature stroke."""
    image = Image.new("RGB", (120, 40), "white")
    for x in range(10, 110):
        image.putpixel((x, 20 + (x % 7) - 3), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
