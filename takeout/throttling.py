"""DRF throttles on the shared cache that let requests through while the cache is down.

Throttles protect the service; they must never be the reason a customer cannot urge an order
or place one while Redis restarts.
"""

import logging

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - cache unreachable: do not throttle
            logger.warning("throttle cache unavailable; request let through")
            return True


class UserThrottle(_FailOpen, UserRateThrottle):
    """Per-user rate limit (API_THROTTLE_USER)."""


class AnonThrottle(_FailOpen, AnonRateThrottle):
    """Per-address rate limit for anonymous calls (API_THROTTLE_ANON)."""
