"""Process-wide fan-out of admin broadcasts.

Each server process joins the `admins` group once, with one channel of its own, and relays
what arrives to every admin page it serves: an alert is received from Redis once, encoded to
JSON once and handed to each page's socket, instead of passing through one channel-layer queue,
one dispatch and one JSON encoding per page. The fan-out also keeps alerts in id order with no
gap: when an alert arrives ahead of one it has not seen, or the reconcile sweep finds stored
alerts that never came through the channel layer, it reads the missing ones from the store.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable
from typing import Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError
from redis.exceptions import RedisError

from . import groups
from .publisher import ADMIN_EVENT_MESSAGE, ALERT_MESSAGE, SESSION_ENDED_MESSAGE
from .relaying import cancel_all, one_per_loop, send_quietly
from .selectors import alerts_since, latest_alert_id
from .wire import encode, text_frame

logger = logging.getLogger(__name__)

PRESENCE_REPORT = "presence.report"
PRESENCE_HELLO = "presence.hello"
# A process that has not reported for this long is taken as gone (killed, not stopped).
PRESENCE_STALE_SECONDS = 75
PRESENCE_HEARTBEAT_SECONDS = 30
# What an outage of the store or of Redis raises (OSError: a refused or reset connection).
OUTAGE_ERRORS = (DatabaseError, RedisError, OSError)
# Pages written to between two turns of the event loop.
DELIVERY_SLICE = 250
# Channel-layer group membership expires (group_expiry); join again well before that.
REJOIN_SECONDS = 600


class Page(Protocol):
    """What the fan-out needs of an admin page (the consumer)."""

    wants_events: bool
    session_key: str | None

    def offer_alert(self, alert_id: int, text: str, frame: bytes) -> Awaitable | None: ...
    def offer_event(self, text: str, frame: bytes) -> Awaitable | None: ...
    async def end_session(self) -> None: ...


class AdminFanout:
    """Relays the `admins` group to this process's admin pages; one per event loop."""

    def __init__(self, layer):
        self.layer = layer
        self.pages: set = set()
        self.process_id = uuid.uuid4().hex
        self.cursor = 0
        self._channel: str | None = None
        self._start_lock = asyncio.Lock()
        self._delivering = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        self._presence: dict[str, tuple[int, float]] = {}
        self._presence_dirty = True
        self._online_sent: int | None = None

    # -- pages -----------------------------------------------------------------------------

    async def attach(self, page) -> None:
        """Start relaying to `page` (the page buffers until its replay is done)."""
        await self.start()
        self.pages.add(page)
        self._presence_dirty = True

    def detach(self, page) -> None:
        """Stop relaying to `page`."""
        if page in self.pages:
            self.pages.discard(page)
            self._presence_dirty = True

    @property
    def online(self) -> int:
        """Admin pages open across every live process."""
        now = time.monotonic()
        others = sum(
            count
            for process, (count, seen) in self._presence.items()
            if process != self.process_id and now - seen < PRESENCE_STALE_SECONDS
        )
        return others + len(self.pages)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Join the group and start the loops, once."""
        if self._channel is not None:
            return
        async with self._start_lock:
            if self._channel is not None:
                return
            self.cursor = await database_sync_to_async(latest_alert_id)()
            channel = await self.layer.new_channel(prefix="fanout.")
            await self.layer.group_add(groups.ADMINS, channel)
            self._channel = channel
            self._tasks = [
                asyncio.ensure_future(self._receive_loop()),
                asyncio.ensure_future(self._reconcile_loop()),
                asyncio.ensure_future(self._presence_loop()),
            ]
            await self._send_quietly({"type": PRESENCE_HELLO, "process": self.process_id})

    async def stop(self) -> None:
        """Cancel the loops and leave the group (tests and shutdown)."""
        await cancel_all(self._tasks)
        self._tasks = []
        if self._channel is not None:
            try:
                await self.layer.group_discard(groups.ADMINS, self._channel)
            except Exception:  # noqa: BLE001 - leaving is best effort
                logger.debug("group_discard failed during stop", exc_info=True)
            self._channel = None

    # -- receiving -------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        while True:
            message = await self.layer.receive(self._channel)
            try:
                await self._handle(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("admin fan-out could not handle %s", message.get("type"))

    async def _handle(self, message: dict) -> None:
        kind = message.get("type")
        if kind == ALERT_MESSAGE:
            await self._on_alert(message["alert"])
        elif kind == ADMIN_EVENT_MESSAGE:
            await self._relay_event(encode(message["event"]))
        elif kind == PRESENCE_REPORT:
            self._presence[message["process"]] = (message["online"], time.monotonic())
        elif kind == PRESENCE_HELLO:
            if message.get("process") != self.process_id:
                self._presence_dirty = True
        elif kind == SESSION_ENDED_MESSAGE:
            await self._end_session(message["session_key"])

    async def _on_alert(self, payload: dict) -> None:
        alert_id = payload["id"]
        if alert_id <= self.cursor:
            return  # delivered already, by a catch-up read
        if alert_id == self.cursor + 1:
            await self._deliver([payload])
        else:
            # Something before it has not come through (a publish still in flight, or lost):
            # the store has it, since alert ids commit in order.
            await self.catch_up(up_to=alert_id)

    async def catch_up(self, up_to: int | None = None) -> None:
        """Deliver stored alerts after the cursor (up to `up_to`), in id order."""
        while True:
            batch = await database_sync_to_async(alerts_since)(
                self.cursor, limit=settings.ALERT_REPLAY_BATCH, up_to=up_to
            )
            if not batch:
                return
            await self._deliver(batch)
            if len(batch) < settings.ALERT_REPLAY_BATCH:
                return

    async def _deliver(self, payloads: list[dict]) -> None:
        async with self._delivering:  # the live stream and a catch-up read take turns
            for payload in payloads:
                alert_id = payload["id"]
                if alert_id <= self.cursor:
                    continue  # a catch-up read overlapped the live stream
                text = encode(payload)
                frame = text_frame(text)
                self.cursor = alert_id
                pages = list(self.pages)
                for start in range(0, len(pages), DELIVERY_SLICE):
                    if start:
                        # Let the loop serve requests and handshakes between slices: writing
                        # to thousands of pages in one go would hold it for tens of ms.
                        await asyncio.sleep(0)
                    for page in pages[start : start + DELIVERY_SLICE]:
                        sending = page.offer_alert(alert_id, text, frame)
                        if sending is not None:  # most frames are written at once
                            await send_quietly(sending)

    async def _relay_event(self, text: str) -> None:
        frame = text_frame(text)
        for page in list(self.pages):
            if page.wants_events:
                sending = page.offer_event(text, frame)
                if sending is not None:
                    await send_quietly(sending)

    async def _end_session(self, session_key: str) -> None:
        for page in [p for p in self.pages if p.session_key == session_key]:
            await page.end_session()

    # -- background loops ------------------------------------------------------------------

    async def _reconcile_loop(self) -> None:
        """Deliver what the channel layer missed, and keep the group membership fresh."""
        last_join = time.monotonic()
        while True:
            await asyncio.sleep(settings.ALERT_RECONCILE_SECONDS)
            try:
                await self.catch_up()
                if time.monotonic() - last_join > REJOIN_SECONDS:
                    await self.layer.group_add(groups.ADMINS, self._channel)
                    last_join = time.monotonic()
            except asyncio.CancelledError:
                raise
            except OUTAGE_ERRORS as exc:
                # The store or Redis is down: expected, logged once a tick without a traceback.
                logger.warning("alert reconcile failed (%s); retrying", exc)
            except Exception:
                logger.exception("alert reconcile failed; retrying")

    async def _presence_loop(self) -> None:
        """Coalesce presence: at most one report and one page update per interval."""
        last_report = 0.0
        while True:
            await asyncio.sleep(settings.PRESENCE_INTERVAL_SECONDS)
            now = time.monotonic()
            if self._presence_dirty or now - last_report > PRESENCE_HEARTBEAT_SECONDS:
                self._presence_dirty = False
                last_report = now
                await self._send_quietly(
                    {
                        "type": PRESENCE_REPORT,
                        "process": self.process_id,
                        "online": len(self.pages),
                    }
                )
            online = self.online
            if online != self._online_sent:
                self._online_sent = online
                await self._relay_event(encode({"event": "presence", "online": online}))

    async def _send_quietly(self, message: dict) -> None:
        try:
            await self.layer.group_send(groups.ADMINS, message)
        except Exception:  # noqa: BLE001 - presence is advisory; alerts do not depend on it
            logger.warning("presence publish failed")


get_fanout = one_per_loop(AdminFanout)
