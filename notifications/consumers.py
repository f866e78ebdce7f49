"""WebSocket consumers: one per open page."""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import parse_qs

from autobahn.exception import Disconnected
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from takeout.gcpolicy import stream_opened
from takeout.parsers import loads_safely

from . import closecodes
from .access import refusal
from .customerfanout import get_customer_fanout
from .fanout import OUTAGE_ERRORS, get_fanout
from .framebudget import FrameBudget
from .reads import in_read_thread
from .selectors import (
    alerts_since,
    customer_events_since,
    latest_alert_id,
    latest_customer_event_id,
)
from .services import UnknownAlert, alert_acknowledge
from .wire import SocketWriter, encode

SUBPROTOCOL = "takeout.v1"
# Streams get live frames from a process-wide relay, not from a channel of their own: an alias
# with no configured layer makes Channels open no channel and no receive task per socket.
NO_CHANNEL_LAYER = "streams-use-the-process-relay"
logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 4096
MAX_ALERT_ID = 2**62  # beyond any stored id, and within the database's bigint


def parse_since(scope) -> int | None:
    """The `since` cursor of the query string; ValueError when it is not a whole number >= 0."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("since")
    if not values or values[0] == "":
        return None
    value = values[0]
    if not value.isdigit() or len(value) > 18:
        raise ValueError("since must be a whole number >= 0")
    return int(value)


class FrameProtocolMixin:
    """Client frames: size and rate limits, JSON parsing and `action` dispatch.

    Every bad frame gets an `error` event and the connection stays open; a socket that keeps
    flooding past its budget is closed with 4429.
    """

    actions: tuple[str, ...] = ("ping",)

    async def send(self, text_data=None, bytes_data=None, close=False):
        """Send, unless the client has gone meanwhile: then there is no one to send to.

        daphne raises when a consumer sends to a connection closed during its handler
        (django/channels#1820); the page replays what it missed when it comes back.
        """
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except Disconnected:
            pass

    def start_budget(self) -> None:
        self.budget = FrameBudget.from_settings()

    async def send_event(self, **event) -> None:
        await self.send(text_data=encode({"event": event.pop("event"), **event}))

    async def send_error(self, message: str) -> None:
        await self.send_event(event="error", message=message)

    async def receive(self, text_data=None, bytes_data=None):
        if not self.budget.spend():
            if self.budget.exhausted:
                await self.close(code=closecodes.TOO_MANY_FRAMES)
            elif self.budget.refused == 1:
                await self.send_error("too many frames; slow down")
            return
        if text_data is None:
            await self.send_error("binary frames are not accepted; send JSON text")
            return
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.send_error("frame larger than 4 KiB")
            return
        try:
            frame = loads_safely(text_data)
        except ValueError:
            await self.send_error("frame is not valid JSON")
            return
        action = frame.get("action") if isinstance(frame, dict) else None
        if not isinstance(action, str) or action not in self.actions:
            await self.send_error(f"unknown action; expected one of: {', '.join(self.actions)}")
            return
        await getattr(self, f"action_{action}")(frame)

    async def action_ping(self, frame) -> None:
        await self.send_event(event="pong")


class CursorRelayMixin:
    """A stream with a cursor: replay from the store, then live frames, no gap, no duplicate.

    `start_relay` attaches to the live source first and holds what arrives while it accepts
    and replays `since` from the store, then flushes what it held, skipping what the replay
    sent. A live frame may name the id before it (`previous_id`): when the stream has not sent
    that one (a publish still in flight, or lost), the stream reads the store instead, holding
    live frames meanwhile. Every send checks `id > last sent`, so a client sees each stored item
    once, in id order. Subclasses say where live frames come from and how to read the store.
    """

    last_id = 0
    pending: list | None = None
    writer: SocketWriter | None = None
    catching_up: asyncio.Task | None = None

    wants_events = False
    subprotocol: str | None = None

    async def open_stream(self, *, staff_only: bool) -> tuple[bool, int | None]:
        """Check the user and read `since`; refuse with the contract's close code.

        Returns (allowed, since). A refused socket is accepted and closed at once with 4401,
        4403, or 4400 for a malformed `since`; an allowed one is not accepted yet:
        `start_relay` accepts it once it is live.
        """
        self.wants_events = SUBPROTOCOL in self.scope.get("subprotocols", ())
        self.subprotocol = SUBPROTOCOL if self.wants_events else None
        self.start_budget()
        code = refusal(self.scope.get("user"), staff_only=staff_only)
        if code is not None:
            await self.accept(self.subprotocol)
            await self.close(code=code)
            return False, None
        try:
            return True, parse_since(self.scope)
        except ValueError as exc:
            await self.accept(self.subprotocol)
            await self.send_error(str(exc))
            await self.close(code=closecodes.BAD_REQUEST)
            return False, None

    async def attach_live(self) -> None:
        """Start receiving live frames (they go through `offer`)."""
        raise NotImplementedError

    def stored_since(self, after_id: int, *, limit: int, up_to: int | None = None) -> list[dict]:
        """Stored payloads with id > after_id (and <= up_to), oldest first (sync, ORM)."""
        raise NotImplementedError

    def stored_latest(self) -> int:
        """The highest stored id this stream could send (sync, ORM)."""
        raise NotImplementedError

    async def relay_started(self) -> None:
        """Called once the stream is live."""

    async def start_relay(self, since: int | None) -> None:
        """Attach to the live source, accept, replay what the client missed, go live, no seam.

        The socket is accepted only once it is attached and knows its cursor, so a client that
        sees it open hears every event committed from then on, whatever the server's backlog
        of handshakes.
        """
        self.pending = []  # live frames wait here until the replay is done
        self.last_id = since or 0
        await self.attach_live()
        if since is None:
            self.last_id = await in_read_thread(self.stored_latest)()
        await self.accept(self.subprotocol)
        self.writer = SocketWriter.for_send(self.base_send)
        if since is not None:
            await self.replay()
        await self.flush_pending()
        stream_opened()
        await self.relay_started()

    async def replay(self, up_to: int | None = None) -> None:
        """Send stored items after the cursor (up to `up_to`), in id order."""
        batch_size = settings.ALERT_REPLAY_BATCH
        while True:
            batch = await in_read_thread(self.stored_since)(
                self.last_id, limit=batch_size, up_to=up_to
            )
            for payload in batch:
                if payload["id"] > self.last_id:
                    self.last_id = payload["id"]
                    await self.send(text_data=encode(payload))
            if len(batch) < batch_size:
                return

    async def flush_pending(self) -> None:
        """Send the live frames held meanwhile; at a gap, read the store (which has it) first."""
        try:
            while self.pending:
                item_id, text, previous_id = self.pending.pop(0)
                if item_id <= self.last_id:
                    continue
                if previous_id is not None and previous_id > self.last_id:
                    await self.replay()  # everything committed so far, this item included
                    continue
                self.last_id = item_id
                await self.send(text_data=text)
        finally:
            self.pending = None

    async def catch_up(self) -> None:
        """Send what the store has after the cursor, holding live frames meanwhile."""
        if self.pending is not None:
            return  # the store is being read already; what arrives meanwhile is held
        self.pending = []
        try:
            await self.replay()
        finally:
            await self.flush_pending()

    def offer(
        self,
        item_id: int,
        text: str,
        frame: bytes | None = None,
        previous_id: int | None = None,
    ):
        """Send a live frame unless the client has it already; None when nothing to await."""
        if item_id <= self.last_id:
            return None
        if self.pending is not None:
            self.pending.append((item_id, text, previous_id))
            return None
        if previous_id is not None and previous_id > self.last_id:
            # Read the store in the background so the relay goes on to other streams.
            self.pending = [(item_id, text, previous_id)]
            self.catching_up = asyncio.ensure_future(self._flush_in_background())
            return None
        self.last_id = item_id
        return self.send_live(text, frame)

    async def _flush_in_background(self) -> None:
        try:
            await self.flush_pending()
        except OUTAGE_ERRORS as exc:
            # The store is down: the next ping (or a reconnect with `since`) catches up.
            logger.warning("stream could not read the store (%s); the next ping catches up", exc)

    def stop_catching_up(self) -> None:
        if self.catching_up is not None:
            self.catching_up.cancel()
            self.catching_up = None

    def send_live(self, text: str, frame: bytes | None = None):
        """Write a live frame straight to the socket when possible, else through ASGI `send`.

        `frame` is `text` already framed (notifications.wire), built once for every page.
        Returns what remains to await, or None.
        """
        if frame is not None and self.writer is not None and self.writer.write(frame):
            return None
        return self.base_send({"type": "websocket.send", "text": text})


class AdminAlertConsumer(CursorRelayMixin, FrameProtocolMixin, AsyncJsonWebsocketConsumer):
    """One open admin page: relays shop alerts and takes acknowledgements.

    Broadcasts reach it through the process-wide fan-out (notifications.fanout), which calls
    `offer_alert` / `offer_event`; so the page needs no channel-layer channel of its own.
    """

    channel_layer_alias = NO_CHANNEL_LAYER
    actions = ("ack", "ping")

    session_key = None
    attached = False

    async def connect(self):
        opened, since = await self.open_stream(staff_only=True)
        if not opened:
            return
        if self.scope.get("auth_method") == "session" and "session" in self.scope:
            self.session_key = self.scope["session"].session_key
        await self.start_relay(since)

    async def attach_live(self) -> None:
        await get_fanout().attach(self)
        self.attached = True

    def stored_since(self, after_id: int, *, limit: int, up_to: int | None = None) -> list[dict]:
        return alerts_since(after_id, limit=limit, up_to=up_to)

    def stored_latest(self) -> int:
        return latest_alert_id()

    async def relay_started(self) -> None:
        if self.wants_events:
            await self.send_event(event="presence", online=get_fanout().online)

    async def disconnect(self, code):
        if self.attached:
            get_fanout().detach(self)
            self.attached = False

    # -- called by the fan-out -------------------------------------------------------------

    def offer_alert(self, alert_id: int, text: str, frame: bytes):
        """Send an alert frame unless the page has it already; None when nothing to await."""
        return self.offer(alert_id, text, frame)

    def offer_event(self, text: str, frame: bytes):
        """Send an `event` frame (takeout.v1 pages only; the fan-out checks)."""
        return self.send_live(text, frame)

    async def end_session(self) -> None:
        """The session behind this page logged out: tell it to log in again."""
        await self.close(code=closecodes.NOT_AUTHENTICATED)

    # -- client actions --------------------------------------------------------------------

    async def action_ack(self, frame) -> None:
        alert_id = frame.get("id")
        if not isinstance(alert_id, int) or isinstance(alert_id, bool) or alert_id <= 0:
            await self.send_error("ack needs an integer alert id")
            return
        if alert_id > MAX_ALERT_ID:
            await self.send_error(f"unknown alert {alert_id}")
            return
        try:
            await database_sync_to_async(alert_acknowledge)(
                alert_id=alert_id, user=self.scope["user"]
            )
        except UnknownAlert:
            await self.send_error(f"unknown alert {alert_id}")


class CustomerEventConsumer(CursorRelayMixin, FrameProtocolMixin, AsyncJsonWebsocketConsumer):
    """One open customer client: the `order` events of that customer's own orders.

    Live events reach it through the process-wide customer relay (notifications.customerfanout),
    which calls `offer_customer_event` only for this customer's events; the stream keeps the
    same cursor guarantees as the admin stream. A live event whose predecessor the socket has
    not sent, and every `ping`, make it read the store, so a publish lost on the channel layer
    still arrives.
    """

    channel_layer_alias = NO_CHANNEL_LAYER
    customer_id: int | None = None
    attached = False
    last_reconciled = 0.0

    async def connect(self):
        opened, since = await self.open_stream(staff_only=False)
        if not opened:
            return
        self.customer_id = self.scope["user"].pk
        await self.start_relay(since)

    async def attach_live(self) -> None:
        await get_customer_fanout().attach(self.customer_id, self)
        self.attached = True

    def stored_since(self, after_id: int, *, limit: int, up_to: int | None = None) -> list[dict]:
        return customer_events_since(self.customer_id, after_id, limit=limit, up_to=up_to)

    def stored_latest(self) -> int:
        return latest_customer_event_id(self.customer_id)

    async def disconnect(self, code):
        self.stop_catching_up()
        if self.attached:
            self.attached = False
            await get_customer_fanout().detach(self.customer_id, self)

    # -- called by the relay ---------------------------------------------------------------

    def offer_customer_event(self, event_id: int, previous_id: int, text: str, frame: bytes):
        """Send this customer's event unless the client has it; None when nothing to await."""
        return self.offer(event_id, text, frame, previous_id)

    async def action_ping(self, frame) -> None:
        # A client's periodic ping doubles as the reconcile sweep, at most once an interval.
        now = time.monotonic()
        if now - self.last_reconciled >= settings.ALERT_RECONCILE_SECONDS:
            self.last_reconciled = now
            await self.catch_up()
        await super().action_ping(frame)


class UnknownPathConsumer(AsyncJsonWebsocketConsumer):
    """Any other WebSocket path: refused at the handshake, without a server error."""

    channel_layer_alias = NO_CHANNEL_LAYER

    async def connect(self):
        await self.close()
