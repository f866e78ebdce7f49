"""Reads of the alert log."""

from django.db.models import Max

from .models import Alert


def alerts_since(after_id: int, *, limit: int, up_to: int | None = None) -> list[dict]:
    """Payloads of alerts with id > after_id (and <= up_to), oldest first, at most `limit`."""
    queryset = Alert.objects.filter(pk__gt=after_id)
    if up_to is not None:
        queryset = queryset.filter(pk__lte=up_to)
    return [alert.as_payload() for alert in queryset.order_by("pk")[:limit]]


def latest_alert_id() -> int:
    """The highest stored alert id, 0 when there is none."""
    return Alert.objects.aggregate(latest=Max("pk"))["latest"] or 0
