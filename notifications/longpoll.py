"""Long-poll fallback of the customer stream: `GET /api/events/?since=N&timeout=25`.

An async view, so a waiting client costs a coroutine, not a worker thread; it listens through
the process's customer relay (notifications.customerfanout, so an event raised by any process
wakes it) and touches the database only to authenticate and to read the store, in the shared
read threads (notifications.reads), which give the connection back before it waits.
"""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from takeout.throttling import UserThrottle

from .customerfanout import get_customer_fanout
from .reads import in_read_thread
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


@in_read_thread
def _authenticate(request):
    """The token's user, after the shared-cache throttle; PollRejected otherwise."""
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


@in_read_thread
def _read(customer_id: int, since: int | None) -> tuple[list[dict], int]:
    """Events after `since` (after the latest when None), and the cursor to poll from next."""
    if since is None:
        return [], latest_customer_event_id(customer_id)
    events = customer_events_since(customer_id, since, limit=settings.EVENTS_POLL_BATCH)
    return events, (events[-1]["id"] if events else since)


class _Waiter:
    """A waiting poll, as a listener of the customer relay: wakes on an event past its cursor."""

    __slots__ = ("cursor", "highest", "woken")

    def __init__(self):
        self.cursor: int | None = None  # unknown until the store has been read
        self.highest = 0
        self.woken = asyncio.Event()

    def offer_customer_event(self, event_id: int, previous_id: int, text: str, frame: bytes):
        self.highest = max(self.highest, event_id)
        if self.cursor is not None and event_id > self.cursor:
            self.woken.set()

    def wait_from(self, cursor: int) -> None:
        """Wake for events after `cursor`, including any that came while the store was read."""
        self.cursor = cursor
        if self.highest > cursor:
            self.woken.set()


async def wait_for_customer_events(customer_id: int, since: int | None, wait_seconds: int):
    """Answer at once when events after `since` exist, else wait up to `wait_seconds`."""
    relay = get_customer_fanout()
    waiter = _Waiter()
    listening = False
    try:
        # Listen before reading the store, so an event committed in between still wakes us.
        await relay.attach(customer_id, waiter)
        listening = True
    except Exception:  # noqa: BLE001 - Redis down: answer from the store alone
        logger.warning("long-poll cannot listen on the channel layer; store only")
    try:
        events, cursor = await _read(customer_id, since)
        if events or wait_seconds == 0:
            return events, cursor
        if not listening:
            # No live wake-up: wait a little and look once more, so clients do not spin.
            await asyncio.sleep(min(wait_seconds, settings.ALERT_RECONCILE_SECONDS))
            return await _read(customer_id, cursor)
        waiter.wait_from(cursor)
        try:
            await asyncio.wait_for(waiter.woken.wait(), wait_seconds)
        except TimeoutError:
            return [], cursor
        return await _read(customer_id, cursor)
    finally:
        if listening:
            await relay.detach(customer_id, waiter)


@require_GET
async def customer_events_poll(request):
    """GET /api/events/: the customer's `order` events after `since`, or none after `timeout`."""
    try:
        since, timeout = parse_poll_query(request.GET)
        user = await _authenticate(request)
    except PollRejected as exc:
        return JsonResponse({"detail": str(exc)}, status=exc.status, headers=exc.headers)
    events, cursor = await wait_for_customer_events(user.pk, since, timeout)
    return JsonResponse(
        {"events": events, "cursor": cursor},
        json_dumps_params={"ensure_ascii": False},
    )
