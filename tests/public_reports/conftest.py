"""Public report tests: generous rate limits unless a test lowers them."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _public_report_settings(app: Any) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"public_report_intake_per_window": 1000, "public_report_receipt_per_window": 1000}
    )


def tune(app: Any, **settings: Any) -> None:
    app.state.settings = app.state.settings.model_copy(update=settings)
