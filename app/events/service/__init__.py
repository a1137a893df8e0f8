"""Event feed, webhook subscriptions, deliveries and working-day overrides (service layer)."""

from app.events.service.calendar import delete_override, list_overrides, put_override
from app.events.service.deliveries import list_deliveries, redeliver
from app.events.service.feed import list_events
from app.events.service.subscriptions import (
    create_subscription,
    delete_subscription,
    get_subscription,
    list_subscriptions,
    rotate_secret,
    update_subscription,
)

__all__ = [
    "create_subscription",
    "delete_override",
    "delete_subscription",
    "get_subscription",
    "list_deliveries",
    "list_events",
    "list_overrides",
    "list_subscriptions",
    "put_override",
    "redeliver",
    "rotate_secret",
    "update_subscription",
]
