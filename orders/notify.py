"""Checks on an incoming payment notify before it may touch an order (contract section 4)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from .signing import signature_matches

logger = logging.getLogger(__name__)

MAX_NONCE_LENGTH = 64


class NotifyRejected(Exception):
    """The notify is not authentic (401)."""


def verify_notify(
    *,
    timestamp: str | None,
    nonce: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> None:
    """Raise NotifyRejected unless the headers sign this body, recently, with a fresh nonce."""
    if not timestamp or not nonce or not signature:
        raise NotifyRejected("missing X-Pay-Timestamp, X-Pay-Nonce or X-Pay-Signature")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise NotifyRejected("X-Pay-Timestamp must be unix seconds")
    if len(nonce) > MAX_NONCE_LENGTH:
        raise NotifyRejected("X-Pay-Nonce is too long")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > settings.PAYMENT_NOTIFY_WINDOW_SECONDS:
        raise NotifyRejected("X-Pay-Timestamp is outside the 300 s window")
    if not signature_matches(settings.PAYMENT_NOTIFY_SECRET, timestamp, nonce, body, signature):
        raise NotifyRejected("signature does not match")
    if not _claim_nonce(nonce):
        raise NotifyRejected("nonce already used")


def _claim_nonce(nonce: str) -> bool:
    """Remember the nonce for the window; False when it was seen already.

    When the cache is unreachable the notify is let through: the signature and window still
    hold, and payments are idempotent by transaction, so a replay changes nothing, whereas
    refusing would leave a paid order unannounced while Redis is down.
    """
    key = f"pay-notify-nonce:{nonce}"
    try:
        return cache.add(key, 1, timeout=2 * settings.PAYMENT_NOTIFY_WINDOW_SECONDS)
    except Exception:  # noqa: BLE001 - any cache failure: fall back as explained above
        logger.warning("nonce cache unavailable; accepting notify on signature and window")
        return True
