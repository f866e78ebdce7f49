"""Writes to the alert log and the customer event log; publishing happens on commit."""

from django.db import connection, transaction
from django.utils import timezone

from .models import Alert, AlertKind, CustomerEvent
from .publisher import (
    admin_event_publish_on_commit,
    alert_publish_on_commit,
    customer_event_publish_on_commit,
)
from .selectors import latest_customer_event_id

# Arbitrary constant naming the advisory lock that orders alert inserts (PostgreSQL).
_ALERT_SEQUENCE_LOCK = 7_310_042
# Arbitrary constant naming the per-customer advisory locks (the two-key form: their key space
# does not overlap the one-key alert lock's).
_CUSTOMER_EVENT_LOCKS = 7_310_043


class UnknownAlert(Exception):
    """No alert with that id."""


def _serialize_alert_inserts() -> None:
    """Make alert ids commit in increasing order.

    Held until the surrounding transaction ends, so an alert with a higher id is never visible
    before a lower one: pages and fan-outs can then trust "everything up to id N" without gaps.
    SQLite already admits one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ALERT_SEQUENCE_LOCK])


def alert_content(order_number: str) -> str:
    """The text a person reads, with the order number in it."""
    return f"订单号：{order_number}"


def alert_raise(*, kind: AlertKind, order) -> Alert:
    """Store an alert for `order` and publish it to every admin page after commit.

    Must run inside the transaction that made the state change it reports; call it last in
    that transaction, since it serializes alert inserts until commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("alert_raise must run inside the transaction of the state change")
    _serialize_alert_inserts()
    alert = Alert.objects.create(
        kind=kind, order=order, order_number=order.number, content=alert_content(order.number)
    )
    alert_publish_on_commit(alert.as_payload())
    return alert


@transaction.atomic
def alert_acknowledge(*, alert_id: int, user) -> tuple[Alert, bool]:
    """Record that `user` has seen the alert; the first acknowledgement is broadcast.

    Returns the alert and whether this call acknowledged it.
    """
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise UnknownAlert(alert_id)
    if alert.acknowledged_at is not None:
        return alert, False
    alert.acknowledged_by = user
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    admin_event_publish_on_commit({"event": "ack", "id": alert.pk, "by": user.get_username()})
    return alert, True


def _serialize_customer_event_inserts(customer_id: int) -> None:
    """Make one customer's event ids commit in increasing order.

    Two orders of one customer can change at once in two transactions (each holds only its own
    order row): without this, the later id could commit first, a stream would move its cursor
    past it and never send the earlier one. Customers never wait on each other (ids beyond
    2**31 share a lock with another customer, which only costs a wait).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_CUSTOMER_EVENT_LOCKS, customer_id % 2**31],
            )


def customer_event_raise(*, order, content: str, reason: str = "") -> CustomerEvent:
    """Store an `order` event for the order's customer and publish it to them after commit.

    Must run inside the transaction of the status change, after the order row is locked and
    before `alert_raise` (locks are always taken in that order, so they cannot deadlock).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("customer_event_raise must run inside the transaction of the change")
    _serialize_customer_event_inserts(order.customer_id)
    previous_id = latest_customer_event_id(order.customer_id)
    event = CustomerEvent.objects.create(
        customer_id=order.customer_id,
        order=order,
        status=order.status,
        content=content,
        reason=reason,
    )
    customer_event_publish_on_commit(order.customer_id, event.as_payload(), previous_id=previous_id)
    return event


def order_status_publish_on_commit(*, order_id: int, status: str) -> None:
    """Tell every admin page that an order changed status."""
    admin_event_publish_on_commit({"event": "order", "orderId": order_id, "status": status})
