"""A per-socket budget for client frames, so one socket cannot flood the server."""

import time

from django.conf import settings


class FrameBudget:
    """Token bucket: `rate` frames a second with bursts of `burst`.

    `spend()` answers whether a frame may be handled. Refused frames add to a debt that is
    forgiven at a quarter of `rate`; `exhausted` tells when the debt passes `patience`, i.e.
    the socket keeps sending well past its budget and should be closed.
    """

    def __init__(self, *, rate: float, burst: int, patience: int):
        self.rate = rate
        self.burst = burst
        self.patience = patience
        self.tokens = float(burst)
        self.debt = 0.0
        # Refused frames since the debt was last paid off; the first one earns a warning.
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
        elapsed = now - self.updated
        self.updated = now
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.debt = max(0.0, self.debt - elapsed * self.rate / 4)
        if self.tokens >= 1:
            self.tokens -= 1
            if self.debt == 0:
                self.refused = 0
            return True
        self.refused += 1
        self.debt += 1
        return False

    @property
    def exhausted(self) -> bool:
        return self.debt > self.patience
