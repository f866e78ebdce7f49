"""A per-socket budget for client frames, so one socket cannot flood the server."""

import time

from django.conf import settings


class FrameBudget:
    """Token bucket: `rate` frames a second with bursts of `burst`.

    `spend()` answers whether a frame may be handled; `exhausted` tells when a socket has had
    more than `patience` frames refused without once letting its bucket refill, and should be
    closed.
    """

    def __init__(self, *, rate: float, burst: int, patience: int):
        self.rate = rate
        self.burst = burst
        self.patience = patience
        self.tokens = float(burst)
        self.refused = 0
        self.updated = time.monotonic()

    @classmethod
    def from_settings(cls) -> "FrameBudget":
        """A budget with the WS_FRAME_* settings."""
        return cls(
            rate=settings.WS_FRAME_RATE,
            burst=settings.WS_FRAME_BURST,
            patience=settings.WS_FRAME_PATIENCE,
        )

    def spend(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= self.burst:
            # Quiet long enough to refill completely: past flooding is forgiven.
            self.refused = 0
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False

    @property
    def exhausted(self) -> bool:
        return self.refused > self.patience
