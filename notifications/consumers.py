"""WebSocket consumers: one per open page."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from takeout.parsers import loads_safely

from . import closecodes
from .fanout import encode, get_fanout
from .framebudget import FrameBudget
from .selectors import alerts_since, latest_alert_id
from .services import UnknownAlert, alert_acknowledge

SUBPROTOCOL = "takeout.v1"
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


class AdminAlertConsumer(FrameProtocolMixin, AsyncJsonWebsocketConsumer):
    """One open admin page: relays shop alerts and takes acknowledgements.

    Broadcasts reach it through the process-wide fan-out (notifications.fanout), which calls
    `offer_alert` / `offer_event`; so the page needs no channel-layer channel of its own.
    """

    # No per-socket channel: an alias with no configured layer makes Channels skip it.
    channel_layer_alias = "admin-pages-use-the-fanout"
    actions = ("ack", "ping")

    wants_events = False
    session_key = None
    last_alert_id = 0
    pending: list | None = None
    attached = False

    async def connect(self):
        self.wants_events = SUBPROTOCOL in self.scope.get("subprotocols", ())
        await self.accept(SUBPROTOCOL if self.wants_events else None)
        self.start_budget()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=closecodes.NOT_AUTHENTICATED)
            return
        if not user.is_staff:
            await self.close(code=closecodes.NOT_STAFF)
            return
        try:
            since = parse_since(self.scope)
        except ValueError as exc:
            await self.send_error(str(exc))
            await self.close(code=closecodes.BAD_REQUEST)
            return
        if self.scope.get("auth_method") == "session" and "session" in self.scope:
            self.session_key = self.scope["session"].session_key
        await self.start_relay(since)

    async def start_relay(self, since: int | None) -> None:
        """Attach to the fan-out, replay what the page missed, then go live with no seam."""
        fanout = get_fanout()
        self.pending = []  # live alerts wait here while the replay runs
        await fanout.attach(self)
        self.attached = True
        if since is None:
            self.last_alert_id = await database_sync_to_async(latest_alert_id)()
        else:
            self.last_alert_id = since
            await self.replay()
        while self.pending:
            alert_id, text = self.pending.pop(0)
            if alert_id > self.last_alert_id:
                self.last_alert_id = alert_id
                await self.send(text_data=text)
        self.pending = None
        if self.wants_events:
            await self.send_event(event="presence", online=fanout.online)

    async def replay(self) -> None:
        batch_size = settings.ALERT_REPLAY_BATCH
        while True:
            batch = await database_sync_to_async(alerts_since)(self.last_alert_id, limit=batch_size)
            for payload in batch:
                self.last_alert_id = payload["id"]
                await self.send(text_data=encode(payload))
            if len(batch) < batch_size:
                return

    async def disconnect(self, code):
        if self.attached:
            get_fanout().detach(self)
            self.attached = False

    # -- called by the fan-out -------------------------------------------------------------

    def offer_alert(self, alert_id: int, text: str):
        """Send an alert frame unless the page has it already; None when nothing to send."""
        if alert_id <= self.last_alert_id:
            return None
        if self.pending is not None:
            self.pending.append((alert_id, text))
            return None
        self.last_alert_id = alert_id
        return self.base_send({"type": "websocket.send", "text": text})

    def offer_event(self, text: str):
        """Send an `event` frame (takeout.v1 pages only; the fan-out checks)."""
        return self.base_send({"type": "websocket.send", "text": text})

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


class UnknownPathConsumer(AsyncJsonWebsocketConsumer):
    """Any other WebSocket path: refused at the handshake, without a server error."""

    channel_layer_alias = "admin-pages-use-the-fanout"

    async def connect(self):
        await self.close()
