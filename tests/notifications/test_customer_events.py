"""The customer event store: one event per status change, stored with it, published on commit."""

import asyncio
import threading
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction

from notifications.groups import customer_group
from notifications.models import CustomerEvent
from notifications.publisher import CUSTOMER_EVENT_MESSAGE
from notifications.services import customer_event_raise
from orders.services import (
    order_cancel,
    order_complete,
    order_confirm,
    order_create,
    order_reject,
    order_start_delivery,
)
from tests.conftest import mark_paid, require

pytestmark = pytest.mark.django_db


def test_payment_stores_a_to_be_confirmed_event_for_the_customer(order, customer):
    mark_paid(order)

    event = CustomerEvent.objects.get()
    assert event.as_payload() == {
        "event": "order",
        "id": event.pk,
        "orderId": order.pk,
        "status": "to_be_confirmed",
        "content": f"订单{order.number}已支付，等待商家接单",
        "reason": "",
        "createdAt": event.created_at.isoformat(),
    }
    assert event.customer == customer


def test_every_status_change_stores_one_event_in_order(order, staff):
    mark_paid(order)
    order_confirm(order_id=order.pk, by=staff)
    order_start_delivery(order_id=order.pk, by=staff)
    order_complete(order_id=order.pk, by=staff)

    statuses = list(CustomerEvent.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["to_be_confirmed", "confirmed", "delivering", "completed"]


def test_rejection_carries_the_reason_in_content_and_reason(order, staff):
    mark_paid(order)

    order_reject(order_id=order.pk, by=staff, reason="食材售罄")

    event = CustomerEvent.objects.latest("pk")
    assert (event.status, event.reason) == ("cancelled", "食材售罄")
    assert event.content.startswith("商家已拒单：食材售罄")


def test_cancelling_a_paid_order_records_a_refund_and_says_so(order, staff):
    mark_paid(order)

    order_cancel(order_id=order.pk, by=staff, reason="暂停营业")

    order.refresh_from_db()
    assert (order.refund.amount, order.refund.transaction_id) == (3800, f"tx-{order.pk}")
    assert order.refund.executed_at is None
    assert CustomerEvent.objects.latest("pk").content.endswith("已登记退款38.00元")


def test_illegal_move_stores_no_event(order, staff):
    with pytest.raises(Exception, match="cannot become"):
        order_confirm(order_id=order.pk, by=staff)

    assert not CustomerEvent.objects.exists()


def test_publishes_wait_for_the_commit(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mark_paid(order)

    # Within the transaction nothing was sent: the admin order event, the customer event and
    # the alert are all commit callbacks.
    assert len(callbacks) == 3


@pytest.mark.django_db(transaction=True)
def test_raising_outside_a_transaction_is_refused(order):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        customer_event_raise(order=order, content="x")


@pytest.mark.django_db(transaction=True)
async def test_customer_group_hears_the_event_with_its_predecessor(order, customer, dish):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(customer_group(customer.pk), channel)

    @database_sync_to_async
    def two_events():
        mark_paid(order)
        second = order_create(
            customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="x"
        )
        mark_paid(second)
        return list(CustomerEvent.objects.order_by("pk"))

    first, second = await two_events()

    messages = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(2)]
    assert messages == [
        {
            "type": CUSTOMER_EVENT_MESSAGE,
            "customer": customer.pk,
            "event": first.as_payload(),
            "previous_id": 0,
        },
        {
            "type": CUSTOMER_EVENT_MESSAGE,
            "customer": customer.pk,
            "event": second.as_payload(),
            "previous_id": first.pk,
        },
    ]
    await layer.group_discard(customer_group(customer.pk), channel)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_customers_events_queue_up_while_another_customer_goes_ahead(
    order, customer, other_customer, dish
):
    """A customer's events commit in id order: a second writer waits for the first's commit."""
    require(connection.vendor == "postgresql", "advisory locks are PostgreSQL's")
    second = order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="x")
    someone_else = order_create(
        customer=other_customer, items=[{"dish": dish.pk, "quantity": 1}], address="x"
    )
    holding, release = threading.Event(), threading.Event()
    results = {}

    def raise_in_thread(name, target, hold=False):
        try:
            with transaction.atomic():
                results[name] = customer_event_raise(order=target, content=name).pk
                if hold:
                    holding.set()
                    release.wait(10)
        finally:
            connection.close()

    first = threading.Thread(target=raise_in_thread, args=("first", order, True))
    first.start()
    holding.wait(10)
    other = threading.Thread(target=raise_in_thread, args=("other", someone_else))
    other.start()
    other.join(10)
    waiting = threading.Thread(target=raise_in_thread, args=("second", second))
    waiting.start()
    wait_until(lambda: advisory_lock_waiters() == 1)

    assert "other" in results and "second" not in results
    release.set()
    first.join(10)
    waiting.join(10)
    assert results["second"] > results["first"]


def advisory_lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
