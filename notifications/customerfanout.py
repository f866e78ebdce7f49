"""Process-wide relay of customer events to this process's customer streams and long-polls.

A customer's events are published to the group `customer.<id>`. Each server process listens
with one channel of its own and joins a customer's group while it serves at least one stream or
long-poll of that customer, and leaves it when the last one goes: a socket costs an entry in a
dict here instead of a channel-layer channel, a receive task and a Redis subscription of its own.
An event arrives from Redis once per process, is encoded once, and goes only to the listeners
registered under its customer's id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Protocol

from . import groups
from .fanout import OUTAGE_ERRORS, REJOIN_SECONDS
from .publisher import CUSTOMER_EVENT_MESSAGE
from .relaying import cancel_all, one_per_loop, send_quietly
from .wire import encode, text_frame

logger = logging.getLogger(__name__)


class Listener(Protocol):
    """What the relay needs of a stream or a waiting long-poll of one customer."""

    def offer_customer_event(
        self, event_id: int, previous_id: int, text: str, frame: bytes
    ) -> Awaitable | None: ...


class CustomerFanout:
    """One channel per process; a group membership per customer served; listeners by id."""

    def __init__(self, layer):
        self.layer = layer
        self.listeners: dict[int, set] = {}
        self.joined: set[int] = set()
        self._channel: str | None = None
        self._start_lock = asyncio.Lock()
        self._membership_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []

    # -- listeners -------------------------------------------------------------------------

    async def attach(self, customer_id: int, listener) -> None:
        """Relay `customer_id`'s events to `listener` from now on (joins the group if needed).

        Raises what the channel layer raises when Redis cannot be reached; the listener is
        not registered then.
        """
        self.listeners.setdefault(customer_id, set()).add(listener)
        try:
            await self.start()
            if customer_id not in self.joined:
                await self._sync_membership(customer_id)
        except BaseException:
            self._forget(customer_id, listener)
            raise

    async def detach(self, customer_id: int, listener) -> None:
        """Stop relaying to `listener`; leave the group when it was the customer's last."""
        self._forget(customer_id, listener)
        if customer_id not in self.listeners and customer_id in self.joined:
            try:
                await self._sync_membership(customer_id)
            except Exception:  # noqa: BLE001 - leaving is best effort; a stray message is ignored
                logger.warning("could not leave the group of customer %s", customer_id)

    def _forget(self, customer_id: int, listener) -> None:
        listeners = self.listeners.get(customer_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self.listeners[customer_id]

    async def _sync_membership(self, customer_id: int) -> None:
        """Join or leave the customer's group so that membership matches the listeners.

        One change at a time, deciding under the lock: a leave that was asked for before a new
        listener came finds the listener and stays joined. `joined` is updated before a leave
        is sent, so an attach during it waits for the lock and joins again.
        """
        async with self._membership_lock:
            group = groups.customer_group(customer_id)
            wanted = customer_id in self.listeners
            if wanted and customer_id not in self.joined:
                await self.layer.group_add(group, self._channel)
                self.joined.add(customer_id)
            elif not wanted and customer_id in self.joined:
                self.joined.discard(customer_id)
                await self.layer.group_discard(group, self._channel)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the process channel and start receiving, once."""
        if self._channel is not None:
            return
        async with self._start_lock:
            if self._channel is not None:
                return
            self._channel = await self.layer.new_channel(prefix="customers.")
            self._tasks = [
                asyncio.ensure_future(self._receive_loop()),
                asyncio.ensure_future(self._rejoin_loop()),
            ]

    async def stop(self) -> None:
        """Stop receiving and leave every group (tests and shutdown)."""
        await cancel_all(self._tasks)
        self._tasks = []
        for customer_id in list(self.joined):
            self.joined.discard(customer_id)
            try:
                await self.layer.group_discard(groups.customer_group(customer_id), self._channel)
            except Exception:  # noqa: BLE001 - leaving is best effort
                logger.debug("group_discard failed during stop", exc_info=True)
        self._channel = None

    async def _rejoin_loop(self) -> None:
        """Renew the memberships well before a layer's group expiry forgets them."""
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            for customer_id in list(self.joined):
                try:
                    async with self._membership_lock:
                        if customer_id in self.joined:
                            await self.layer.group_add(
                                groups.customer_group(customer_id), self._channel
                            )
                except OUTAGE_ERRORS as exc:
                    logger.warning("customer group renewal failed (%s); retrying later", exc)
                    break

    # -- receiving -------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        while True:
            message = await self.layer.receive(self._channel)
            try:
                if message.get("type") == CUSTOMER_EVENT_MESSAGE:
                    await self.deliver(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("customer relay could not handle an event")

    async def deliver(self, message: dict) -> None:
        """Hand one published event to the listeners of its customer in this process."""
        listeners = self.listeners.get(message.get("customer"))
        if not listeners:
            return  # joined a moment ago or leaving: nobody here listens for this customer
        event = message["event"]
        text = encode(event)
        frame = text_frame(text)
        for listener in list(listeners):
            sending = listener.offer_customer_event(
                event["id"], message.get("previous_id", 0), text, frame
            )
            if sending is not None:
                await send_quietly(sending)


get_customer_fanout = one_per_loop(CustomerFanout)
