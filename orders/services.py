"""Every write to orders. Each state change and the alert it raises share one transaction."""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.models import Alert, AlertKind
from notifications.services import alert_raise, order_status_publish_on_commit

from .errors import (
    AmountMismatch,
    IllegalTransition,
    InvalidOrder,
    OrderNotFound,
    PaymentConflict,
    ReminderTooSoon,
)
from .models import Dish, Order, OrderItem, OrderStatus

logger = logging.getLogger(__name__)

MAX_QUANTITY = 99
MAX_LINES = 50


@dataclass(frozen=True)
class PaymentOutcome:
    """What a payment notify did: the order, and whether this notify paid it."""

    order: Order
    newly_paid: bool


def order_number_for(order: Order) -> str:
    """Date of the order plus its id, e.g. 20261123000042."""
    return f"{timezone.localdate(order.created_at):%Y%m%d}{order.pk:06d}"


@transaction.atomic
def order_create(*, customer, items: list[dict], address: str, remark: str = "") -> Order:
    """Create an unpaid order; prices come from the menu, never from the client."""
    if not items or len(items) > MAX_LINES:
        raise InvalidOrder(f"an order needs 1 to {MAX_LINES} lines")
    quantities: dict[int, int] = {}
    for line in items:
        quantity = line["quantity"]
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidOrder(f"quantity must be between 1 and {MAX_QUANTITY}")
        quantities[line["dish"]] = quantities.get(line["dish"], 0) + quantity
    dishes = Dish.objects.in_bulk(list(quantities))
    unknown = [d for d in quantities if d not in dishes or not dishes[d].is_active]
    if unknown:
        raise InvalidOrder(f"unknown or unavailable dish: {', '.join(map(str, unknown))}")
    if any(q > MAX_QUANTITY for q in quantities.values()):
        raise InvalidOrder(f"quantity must be between 1 and {MAX_QUANTITY}")

    amount = sum(dishes[d].price * q for d, q in quantities.items())
    order = Order.objects.create(
        number=uuid.uuid4().hex,  # replaced below once the id is known
        customer=customer,
        amount=amount,
        address=address,
        remark=remark,
    )
    order.number = order_number_for(order)
    order.save(update_fields=["number"])
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order, dish=dishes[d], name=dishes[d].name, unit_price=dishes[d].price, quantity=q
        )
        for d, q in quantities.items()
    )
    return order


@transaction.atomic
def order_mark_paid(*, number: str, transaction_id: str, amount: int) -> PaymentOutcome:
    """Record a successful payment once; a repeat of any kind changes nothing.

    The order row is locked first, so duplicate notifies on several processes queue up here
    and only the first finds the order unpaid.
    """
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise OrderNotFound(number)
    if amount != order.amount:
        raise AmountMismatch(f"paid {amount}, order {order.number} is {order.amount}")
    if order.transaction_id == transaction_id:
        return PaymentOutcome(order, newly_paid=False)
    if order.status != OrderStatus.PENDING_PAYMENT:
        # Paid before by another transaction, or cancelled meanwhile: money to give back by
        # hand, but no second alert and no state change.
        logger.warning(
            "payment %s for order %s in status %s ignored", transaction_id, number, order.status
        )
        return PaymentOutcome(order, newly_paid=False)
    if Order.objects.filter(transaction_id=transaction_id).exists():
        raise PaymentConflict(f"transaction {transaction_id} already paid another order")
    now = timezone.now()
    order.status = OrderStatus.TO_BE_CONFIRMED
    order.transaction_id = transaction_id
    order.paid_at = now
    order.status_changed_at = now
    order.save(update_fields=["status", "transaction_id", "paid_at", "status_changed_at"])
    order_status_publish_on_commit(order_id=order.pk, status=order.status)
    alert_raise(kind=AlertKind.NEW_ORDER, order=order)
    return PaymentOutcome(order, newly_paid=True)


@transaction.atomic
def order_remind(*, order_id: int, customer) -> Alert:
    """The customer urges their order: one type 2 alert per order per interval."""
    order = Order.objects.select_for_update().filter(pk=order_id, customer=customer).first()
    if order is None:
        raise OrderNotFound(order_id)
    if not order.remindable:
        raise IllegalTransition(order, "reminded")
    now = timezone.now()
    interval = settings.REMINDER_INTERVAL_SECONDS
    if order.last_reminded_at is not None:
        elapsed = (now - order.last_reminded_at).total_seconds()
        if elapsed < interval:
            raise ReminderTooSoon(retry_after=max(1, math.ceil(interval - elapsed)))
    order.last_reminded_at = now
    order.save(update_fields=["last_reminded_at"])
    return alert_raise(kind=AlertKind.URGE, order=order)


def _move(order_id: int, target: str, *, only_from: str | None = None, **fields) -> Order:
    """Lock the order, check the transition table, write the move and announce it on commit."""
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound(order_id)
    if not order.can_move_to(target) or (only_from is not None and order.status != only_from):
        raise IllegalTransition(order, target)
    order.status = target
    order.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["status", "status_changed_at", *fields])
    order_status_publish_on_commit(order_id=order.pk, status=order.status)
    return order


@transaction.atomic
def order_confirm(*, order_id: int, by) -> Order:
    """The shop accepts a paid order."""
    return _move(order_id, OrderStatus.CONFIRMED)


@transaction.atomic
def order_reject(*, order_id: int, by, reason: str) -> Order:
    """The shop turns down a paid order (it is cancelled, with the reason kept)."""
    return _move(
        order_id,
        OrderStatus.CANCELLED,
        only_from=OrderStatus.TO_BE_CONFIRMED,
        reject_reason=reason,
    )


@transaction.atomic
def order_start_delivery(*, order_id: int, by) -> Order:
    """The order leaves the shop."""
    return _move(order_id, OrderStatus.DELIVERING)


@transaction.atomic
def order_complete(*, order_id: int, by) -> Order:
    """The order reached the customer."""
    return _move(order_id, OrderStatus.COMPLETED)


@transaction.atomic
def order_cancel(*, order_id: int, by, reason: str = "") -> Order:
    """Cancel an order that has not left the shop."""
    return _move(order_id, OrderStatus.CANCELLED, cancel_reason=reason)
