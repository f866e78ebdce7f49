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

Sockets opened in a burst (a restart, every page reconnecting at once) leave hundreds of
thousands of new long-lived objects that the next young and full collections would walk while
alerts are flowing. `SettledBurst` moves them out of sight too: once `GC_FREEZE_BURST` streams
have opened and none has for `GC_FREEZE_QUIET_SECONDS`, it freezes what is alive. Frozen objects
are never collected, so cyclic garbage they leave when sockets close would stay; every
`GC_THAW_MINUTES` the frozen objects are handed back to the collector, whose next full
collection reclaims that garbage (one longer pause per interval instead of one every few
seconds).
"""

from __future__ import annotations

import asyncio
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


class SettledBurst:
    """Freezes what is alive once a burst of new streams has settled; thaws it now and then."""

    def __init__(self, *, burst: int, quiet_s: float, thaw_s: float):
        self.burst = burst
        self.quiet_s = quiet_s
        self.thaw_s = thaw_s
        self.opened = 0
        self.last_opened = 0.0
        self.last_thaw = time.monotonic()
        self.check_scheduled = False

    def stream_opened(self) -> None:
        """Note one more long-lived stream; called on the serving loop."""
        if self.burst <= 0:
            return
        self.opened += 1
        self.last_opened = time.monotonic()
        if not self.check_scheduled and self.opened >= self.burst:
            self.check_scheduled = True
            asyncio.get_running_loop().call_later(self.quiet_s, self._check)

    def _check(self) -> None:
        quiet_for = time.monotonic() - self.last_opened
        if quiet_for < self.quiet_s:  # still opening: look again once it has been quiet
            asyncio.get_running_loop().call_later(self.quiet_s - quiet_for, self._check)
            return
        self.check_scheduled = False
        self.opened = 0
        if time.monotonic() - self.last_thaw >= self.thaw_s:
            self.last_thaw = time.monotonic()
            gc.unfreeze()
            gc.collect()
            logger.info("handed the frozen objects back to the collector and collected")
        gc.freeze()
        logger.info("froze %d objects after a burst of new streams", gc.get_freeze_count())


_settled_burst: SettledBurst | None = None


def stream_opened() -> None:
    """Tell the policy that a long-lived stream (a socket) has opened."""
    if _settled_burst is not None:
        _settled_burst.stream_opened()


def apply(
    *,
    young_threshold: int,
    slow_ms: float,
    freeze_burst: int = 0,
    freeze_quiet_s: float = 2.0,
    thaw_minutes: float = 30.0,
) -> None:
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
    global _settled_burst
    _settled_burst = SettledBurst(
        burst=freeze_burst, quiet_s=freeze_quiet_s, thaw_s=thaw_minutes * 60
    )
