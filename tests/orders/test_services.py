"""Order services: the transition table, and alerts published only after commit."""

import pytest
from django.db import transaction

from notifications.models import Alert
from orders import services
from orders.errors import IllegalTransition
from orders.models import TRANSITIONS, Order, OrderStatus

pytestmark = pytest.mark.django_db

MOVES = {
    OrderStatus.CONFIRMED: lambda order, staff: services.order_confirm(order_id=order.pk, by=staff),
    OrderStatus.DELIVERING: lambda order, staff: services.order_start_delivery(
        order_id=order.pk, by=staff
    ),
    OrderStatus.COMPLETED: lambda order, staff: services.order_complete(
        order_id=order.pk, by=staff
    ),
    OrderStatus.CANCELLED: lambda order, staff: services.order_cancel(
        order_id=order.pk, by=staff, reason="sold out"
    ),
}

CASES = [
    (start, target, target in TRANSITIONS[start])
    for start in OrderStatus.values
    for target in MOVES
]


@pytest.mark.parametrize("start, target, allowed", CASES)
def test_every_move_follows_the_transition_table(order, staff, start, target, allowed):
    Order.objects.filter(pk=order.pk).update(status=start)

    if allowed:
        assert MOVES[target](order, staff).status == target
    else:
        with pytest.raises(IllegalTransition):
            MOVES[target](order, staff)
        order.refresh_from_db()
        assert order.status == start


def test_reject_only_applies_to_orders_waiting_for_acceptance(order, staff):
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CONFIRMED)

    with pytest.raises(IllegalTransition):
        services.order_reject(order_id=order.pk, by=staff, reason="closed")


def test_reject_cancels_with_the_reason(order, staff):
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.TO_BE_CONFIRMED)

    rejected = services.order_reject(order_id=order.pk, by=staff, reason="closed")

    assert (rejected.status, rejected.reject_reason) == ("cancelled", "closed")


def test_alert_is_published_only_after_commit(
    order, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr("notifications.publisher.publish_alert", published.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.order_mark_paid(number=order.number, transaction_id="wx", amount=order.amount)
        assert published == []

    for callback in callbacks:
        callback()
    assert published == [Alert.objects.get().as_payload()]


def test_rolled_back_payment_publishes_nothing(order, monkeypatch):
    published = []
    monkeypatch.setattr("notifications.publisher.publish_alert", published.append)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.order_mark_paid(number=order.number, transaction_id="wx", amount=order.amount)
        raise RuntimeError("roll back")

    assert published == []
    assert Alert.objects.count() == 0
    order.refresh_from_db()
    assert order.status == "pending_payment"


SHOP_SERVICES = {
    "confirm": lambda order, staff: services.order_confirm(order_id=order.pk, by=staff),
    "reject": lambda order, staff: services.order_reject(order_id=order.pk, by=staff, reason="x"),
    "deliver": lambda order, staff: services.order_start_delivery(order_id=order.pk, by=staff),
    "complete": lambda order, staff: services.order_complete(order_id=order.pk, by=staff),
    "cancel": lambda order, staff: services.order_cancel(order_id=order.pk, by=staff),
}


@pytest.mark.parametrize("start", OrderStatus.values)
@pytest.mark.parametrize("action", SHOP_SERVICES)
def test_the_shop_actions_offered_are_the_ones_the_services_allow(order, staff, start, action):
    Order.objects.filter(pk=order.pk).update(status=start)
    order.refresh_from_db()
    offered = action in services.order_shop_actions(order)

    try:
        with transaction.atomic():
            SHOP_SERVICES[action](order, staff)
    except IllegalTransition:
        allowed = False
    else:
        allowed = True

    assert offered == allowed
