"""How the cyclic garbage collector runs in a server process that holds thousands of sockets.

Every open socket keeps a few hundred long-lived objects (Twisted, autobahn, the consumer), so
a process with 5,000 sockets tracks close to a million. CPython's full collection walks all of
them, and with the default thresholds it runs every few seconds under load, because every
request's short-lived objects that happen to be alive during a young collection get promoted
and counted towards the next full one. Measured on 2 cores (bench/, 10,000 customer sockets):
full collections of 300-450 ms, each one a stall for every socket of the process.

The policy: objects that exist when the application has been loaded (modules, settings, URL
patterns) are moved out of the collector's sight once (`gc.freeze()`); and the young
generation is collected every `GC_YOUNG_THRESHOLD` allocations instead of 700, so a request's
objects are normally freed by reference counting before any collection sees them and few get
promoted. Collections longer than `GC_SLOW_MS` are logged with their generation and duration.
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)


class SlowCollectionLog:
    """A `gc.callbacks` entry that logs every collection taking longer than `slow_ms`."""

    def __init__(self, slow_ms: float):
        self.slow_ms = slow_ms
        self.started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            return
        took_ms = (time.perf_counter() - self.started) * 1000
        if took_ms >= self.slow_ms:
            logger.warning(
                "garbage collection of generation %d took %.0f ms (%d objects collected)",
                info["generation"],
                took_ms,
                info["collected"],
            )


def apply(*, young_threshold: int, slow_ms: float) -> None:
    """Set the thresholds, freeze what the loaded application holds, and log slow collections.

    Idempotent: calling it again only moves newly loaded objects out of sight and keeps one
    slow-collection log.
    """
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(young_threshold, older, oldest)
    gc.collect()  # leave no garbage of the start-up behind in the frozen generation
    gc.freeze()
    gc.callbacks[:] = [cb for cb in gc.callbacks if not isinstance(cb, SlowCollectionLog)]
    if slow_ms > 0:
        gc.callbacks.append(SlowCollectionLog(slow_ms))
