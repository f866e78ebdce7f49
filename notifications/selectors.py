"""Reads of the alert log."""

from django.db.models import Max

from .models import Alert, CustomerEvent


def alerts_since(after_id: int, *, limit: int, up_to: int | None = None) -> list[dict]:
    """Payloads of alerts with id > after_id (and <= up_to), oldest first, at most `limit`."""
    queryset = Alert.objects.filter(pk__gt=after_id).select_related("acknowledged_by")
    if up_to is not None:
        queryset = queryset.filter(pk__lte=up_to)
    return [alert.as_payload() for alert in queryset.order_by("pk")[:limit]]


def latest_alert_id() -> int:
    """The highest stored alert id, 0 when there is none."""
    return Alert.objects.aggregate(latest=Max("pk"))["latest"] or 0


def customer_events_since(
    customer_id: int, after_id: int, *, limit: int, up_to: int | None = None
) -> list[dict]:
    """Payloads of one customer's events with id > after_id (and <= up_to), oldest first."""
    queryset = CustomerEvent.objects.filter(customer_id=customer_id, pk__gt=after_id)
    if up_to is not None:
        queryset = queryset.filter(pk__lte=up_to)
    return [event.as_payload() for event in queryset.order_by("pk")[:limit]]


def latest_customer_event_id(customer_id: int) -> int:
    """The customer's highest event id, 0 when they have none."""
    latest = (
        CustomerEvent.objects.filter(customer_id=customer_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest or 0
