"""What the process-wide relays (admin fan-out, customer relay) share: one per loop, quiet sends."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def one_per_loop(factory: Callable) -> Callable:
    """A getter of the relay of the running event loop, made by `factory(layer)` on first use.

    Under daphne a process has one loop, so this is one relay per process; tests get a fresh
    one with each test's loop.
    """
    relays: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get():
        loop = asyncio.get_running_loop()
        relay = relays.get(loop)
        if relay is None:
            relay = relays[loop] = factory(get_channel_layer())
        return relay

    return get


async def send_quietly(sending) -> None:
    """Await one socket's send; a socket that fails to take a frame never stops the others.

    Under daphne a send only queues bytes on the transport, so awaiting sockets one after the
    other costs no waiting.
    """
    try:
        await sending
    except Exception:  # noqa: BLE001 - a closing socket must not cost the other sockets
        logger.debug("send to a socket failed", exc_info=True)


async def cancel_all(tasks: list[asyncio.Task]) -> None:
    """Cancel the tasks and wait until each has finished."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        try:
            await task
        except asyncio.CancelledError:
            pass
