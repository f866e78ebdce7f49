"""The order timers: unpaid orders cancel, long deliveries complete, safely with two workers."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from notifications.models import CustomerEvent
from orders.models import Order
from orders.services import (
    order_confirm,
    order_create,
    order_start_delivery,
    orders_cancel_unpaid,
    orders_complete_long_delivering,
)
from tests.conftest import mark_paid

pytestmark = pytest.mark.django_db


def age(order, *, minutes=0, hours=0, field="created_at"):
    Order.objects.filter(pk=order.pk).update(
        **{field: timezone.now() - timedelta(minutes=minutes, hours=hours)}
    )


def test_order_unpaid_past_the_timeout_is_cancelled_and_the_customer_told(order):
    age(order, minutes=16)

    assert orders_cancel_unpaid() == 1

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "超时未支付")
    event = CustomerEvent.objects.get()
    assert (event.status, event.content) == ("cancelled", "超时未支付，订单已自动取消")


def test_order_within_the_payment_window_is_left_alone(order):
    age(order, minutes=14)

    assert orders_cancel_unpaid() == 0
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_paid_order_is_never_auto_cancelled(order):
    mark_paid(order)
    age(order, minutes=60)

    assert orders_cancel_unpaid() == 0


def test_order_delivering_past_the_limit_is_completed(order, staff):
    mark_paid(order)
    order_confirm(order_id=order.pk, by=staff)
    order_start_delivery(order_id=order.pk, by=staff)
    age(order, hours=3, field="status_changed_at")

    assert orders_complete_long_delivering() == 1
    assert Order.objects.get(pk=order.pk).status == "completed"
    assert CustomerEvent.objects.latest("pk").content == "订单已自动完成"


def test_order_delivering_briefly_is_left_alone(order, staff):
    mark_paid(order)
    order_confirm(order_id=order.pk, by=staff)
    order_start_delivery(order_id=order.pk, by=staff)

    assert orders_complete_long_delivering() == 0


@pytest.mark.django_db(transaction=True)
def test_run_timers_once_runs_both_timers(order):
    age(order, minutes=16)
    out = StringIO()

    call_command("run_timers", "--once", stdout=out)

    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert "cancelled 1 unpaid, completed 0 delivering" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_workers_cancel_each_order_exactly_once(customer, dish):
    orders = [
        order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="x")
        for _ in range(20)
    ]
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=30))
    counts = []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait(10)
            counts.append(orders_cancel_unpaid())
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(30)

    assert sum(counts) == len(orders)
    assert CustomerEvent.objects.filter(status="cancelled").count() == len(orders)
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
