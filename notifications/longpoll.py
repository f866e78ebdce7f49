"""Long-poll fallback of the customer stream: `GET /api/events/?since=N&timeout=25`.

An async view, so a waiting client costs a coroutine, not a worker thread; it listens on the
customer's channel-layer group (so an event raised by any process wakes it) and touches the
database only to authenticate and to read the store, releasing the connection before it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from takeout.throttling import UserThrottle

from . import groups
from .publisher import CUSTOMER_EVENT_MESSAGE
from .selectors import customer_events_since, latest_customer_event_id

logger = logging.getLogger(__name__)

MAX_CURSOR_DIGITS = 18


class PollRejected(Exception):
    """The request cannot be served; carries the HTTP status and headers to answer with."""

    def __init__(self, status: int, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.headers = headers or {}


def parse_poll_query(query) -> tuple[int | None, int]:
    """`since` (optional, whole number) and `timeout` (0 to EVENTS_POLL_MAX_TIMEOUT, default 25)."""
    since = query.get("since", "")
    if since != "" and (not since.isdigit() or len(since) > MAX_CURSOR_DIGITS):
        raise PollRejected(400, "since must be a whole number >= 0")
    timeout = query.get("timeout", "25")
    cap = settings.EVENTS_POLL_MAX_TIMEOUT
    if not timeout.isdigit() or len(timeout) > 3 or int(timeout) > cap:
        raise PollRejected(400, f"timeout must be a whole number of seconds from 0 to {cap}")
    return (int(since) if since != "" else None), int(timeout)


def _release_connection() -> None:
    """Close this thread's connection unless a surrounding transaction (a test) owns it."""
    if not connection.in_atomic_block:
        connection.close()


def _authenticate(request):
    """The token's user, after the shared-cache throttle; PollRejected otherwise."""
    try:
        try:
            result = TokenAuthentication().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            raise PollRejected(401, str(exc.detail), {"WWW-Authenticate": "Token"}) from exc
        if result is None:
            raise PollRejected(
                401,
                "Authentication credentials were not provided.",
                {"WWW-Authenticate": "Token"},
            )
        request.user = result[0]
        throttle = UserThrottle()
        if not throttle.allow_request(request, None):
            wait = throttle.wait()
            retry = str(max(1, int(wait or 1)))
            raise PollRejected(429, "Request was throttled.", {"Retry-After": retry})
        return request.user
    finally:
        _release_connection()


def _read(customer_id: int, since: int | None) -> tuple[list[dict], int]:
    """Events after `since` (after the latest when None), and the cursor to poll from next."""
    try:
        if since is None:
            return [], latest_customer_event_id(customer_id)
        events = customer_events_since(customer_id, since, limit=settings.EVENTS_POLL_BATCH)
        return events, (events[-1]["id"] if events else since)
    finally:
        _release_connection()


async def _release_channel(layer, channel: str) -> None:
    """Drop a channel whose receive completed normally.

    Channels has no "delete channel"; channels_redis unsubscribes a channel when a receive on
    it is cancelled, so start one and cancel it.
    """
    waiter = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await waiter


async def wait_for_customer_events(customer_id: int, since: int | None, wait_seconds: int):
    """Answer at once when events after `since` exist, else wait up to `wait_seconds`."""
    layer = get_channel_layer()
    group = groups.customer_group(customer_id)
    channel = None
    if layer is not None:
        try:
            # Listen before reading the store, so an event committed in between still wakes us.
            channel = await layer.new_channel(prefix="poll.")
            await layer.group_add(group, channel)
        except Exception:  # noqa: BLE001 - Redis down: answer from the store alone
            logger.warning("long-poll cannot listen on the channel layer; store only")
            channel = None
    try:
        events, cursor = await sync_to_async(_read)(customer_id, since)
        if events or wait_seconds == 0:
            return events, cursor
        if channel is None:
            # No live wake-up: wait a little and look once more, so clients do not spin.
            await asyncio.sleep(min(wait_seconds, settings.ALERT_RECONCILE_SECONDS))
            return await sync_to_async(_read)(customer_id, cursor)
        if await _wait_for_newer(layer, channel, cursor, wait_seconds):
            return await sync_to_async(_read)(customer_id, cursor)
        return [], cursor
    finally:
        if channel is not None:
            with contextlib.suppress(Exception):
                await layer.group_discard(group, channel)


async def _wait_for_newer(layer, channel: str, cursor: int, wait_seconds: int) -> bool:
    async def newer():
        while True:
            message = await layer.receive(channel)
            if message.get("type") == CUSTOMER_EVENT_MESSAGE and message["event"]["id"] > cursor:
                return

    try:
        await asyncio.wait_for(newer(), wait_seconds)
    except TimeoutError:
        return False  # the cancelled receive has dropped the channel
    except Exception:  # noqa: BLE001 - Redis failed mid-wait: answer empty, the client polls again
        logger.warning("long-poll lost the channel layer while waiting")
        return False
    await _release_channel(layer, channel)
    return True


@require_GET
async def customer_events_poll(request):
    """GET /api/events/: the customer's `order` events after `since`, or none after `timeout`."""
    try:
        since, timeout = parse_poll_query(request.GET)
        user = await sync_to_async(_authenticate)(request)
    except PollRejected as exc:
        return JsonResponse({"detail": str(exc)}, status=exc.status, headers=exc.headers)
    events, cursor = await wait_for_customer_events(user.pk, since, timeout)
    return JsonResponse(
        {"events": events, "cursor": cursor},
        json_dumps_params={"ensure_ascii": False},
    )
