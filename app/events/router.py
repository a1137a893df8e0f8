"""The event feed and webhook subscriptions over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.core.timebounds import BoundedDate
from app.events import service
from app.events.schemas import (
    EventFilter,
    EventPage,
    WebhookDeliveryFilter,
    WebhookDeliveryPage,
    WebhookDeliveryRead,
    WebhookSecretRotated,
    WebhookSubscriptionCreate,
    WebhookSubscriptionCreated,
    WebhookSubscriptionFilter,
    WebhookSubscriptionPage,
    WebhookSubscriptionRead,
    WebhookSubscriptionUpdate,
    WorkdayOverrideFilter,
    WorkdayOverrideList,
    WorkdayOverridePut,
    WorkdayOverrideRead,
)

router = APIRouter()
events = APIRouter(prefix="/events", tags=["events"])
webhooks = APIRouter(prefix="/webhook-subscriptions", tags=["webhook-subscriptions"])
calendar = APIRouter(prefix="/workday-overrides", tags=["workday-overrides"])


@events.get("", response_model=EventPage, responses=problems(403, 410))
async def list_events(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[EventFilter, Query()],
) -> EventPage:
    """CloudEvents in scope, in commit-safe order; continue with `after=<next_cursor>`.

    An event appears only once every transaction older than it has finished, so a reader polling
    with the returned cursor never skips an event whose transaction committed late."""
    items, next_cursor = await service.list_events(session, settings, principal, query)
    return EventPage(items=items, next_cursor=next_cursor)


@webhooks.get("", response_model=WebhookSubscriptionPage, responses=problems(403))
async def list_webhook_subscriptions(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[WebhookSubscriptionFilter, Query()],
) -> WebhookSubscriptionPage:
    """All subscriptions (administrator) or the calling system client's own; `changed_since`
    syncs (deleted ones come back in `removed`)."""
    return await service.list_subscriptions(session, settings, principal, query)


@webhooks.post(
    "",
    response_model=WebhookSubscriptionCreated,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 409), **replayed(WebhookSubscriptionCreated)},
)
async def create_webhook_subscription(
    data: WebhookSubscriptionCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> WebhookSubscriptionCreated:
    """Subscribe a receiver. The `secret` is in this response only: store it."""
    sub, secret = await service.create_subscription(session, settings, principal, data)
    if secret is None:
        response.status_code = status.HTTP_200_OK
    with_etag(response, sub.version, f"/api/v1/webhook-subscriptions/{sub.id}")
    return WebhookSubscriptionCreated(**sub.model_dump(), secret=secret)


@webhooks.get(
    "/{subscription_id}", response_model=WebhookSubscriptionRead, responses=problems(403, 404)
)
async def get_webhook_subscription(
    subscription_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> WebhookSubscriptionRead:
    sub = await service.get_subscription(session, principal, subscription_id)
    with_etag(response, sub.version)
    return sub


@webhooks.patch(
    "/{subscription_id}", response_model=WebhookSubscriptionRead, responses=problems(403, 404, 412)
)
async def update_webhook_subscription(
    subscription_id: uuid.UUID,
    data: WebhookSubscriptionUpdate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> WebhookSubscriptionRead:
    """Change the target or filters; `active: true` re-enables a subscription disabled by 410."""
    sub = await service.update_subscription(
        session, settings, principal, subscription_id, data, if_match
    )
    with_etag(response, sub.version)
    return sub


@webhooks.delete(
    "/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404, 412)
)
async def delete_webhook_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, if_match: IfMatchDep
) -> Response:
    await service.delete_subscription(session, principal, subscription_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@webhooks.post(
    "/{subscription_id}/rotate-secret",
    response_model=WebhookSecretRotated,
    responses=problems(403, 404, 412),
)
async def rotate_webhook_secret(
    subscription_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> WebhookSecretRotated:
    """A new secret (shown once); deliveries carry a signature per valid secret meanwhile."""
    return await service.rotate_secret(session, settings, principal, subscription_id, if_match)


@webhooks.get(
    "/{subscription_id}/deliveries",
    response_model=WebhookDeliveryPage,
    responses=problems(403, 404),
)
async def list_webhook_deliveries(
    subscription_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[WebhookDeliveryFilter, Query()],
) -> WebhookDeliveryPage:
    """The delivery log: status, attempts, last response code, newest first."""
    items, next_cursor = await service.list_deliveries(
        session, settings, principal, subscription_id, query
    )
    return WebhookDeliveryPage(items=items, next_cursor=next_cursor)


@webhooks.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver",
    response_model=WebhookDeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(403, 404),
)
async def redeliver_webhook_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> WebhookDeliveryRead:
    """Send this event again (the worker picks it up at once, with a fresh retry budget)."""
    return await service.redeliver(session, principal, subscription_id, delivery_id)


@calendar.get("", response_model=WorkdayOverrideList, responses=problems())
async def list_workday_overrides(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[WorkdayOverrideFilter, Query()],
) -> WorkdayOverrideList:
    """Local decisions over the national working-day calendar (holidays and 调休 come from the
    maintained `chinese_calendar` package). `changed_since` syncs, deletions in `removed`."""
    return await service.list_overrides(session, settings, principal, query)


@calendar.put(
    "/{on}",
    response_model=WorkdayOverrideRead,
    responses={
        **problems(403),
        201: {"model": WorkdayOverrideRead, "description": "A new override for that date"},
    },
)
async def put_workday_override(
    on: BoundedDate,
    data: WorkdayOverridePut,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> WorkdayOverrideRead:
    """Declare a date a working day or a day off (201 when new, 200 when replaced)."""
    override, created = await service.put_override(session, principal, on, data)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return override


@calendar.delete("/{on}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404))
async def delete_workday_override(
    on: BoundedDate, session: SessionDep, principal: PrincipalDep
) -> Response:
    await service.delete_override(session, principal, on)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router.include_router(events)
router.include_router(webhooks)
router.include_router(calendar)
