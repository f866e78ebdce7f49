"""Every write to orders. Each state change and the alert it raises share one transaction."""

from __future__ import annotations

import logging
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Alert, AlertKind
from notifications.services import (
    alert_raise,
    customer_event_raise,
    order_status_publish_on_commit,
)

from . import payments
from .errors import (
    AmountMismatch,
    IllegalTransition,
    InvalidOrder,
    OrderNotFound,
    PaymentConflict,
    PickupCodeExpired,
    PickupCodeUnknown,
    PickupCodeUsed,
    ReminderTooSoon,
)
from .models import CUSTOMER_CANCELLABLE, OPEN, Dish, Order, OrderItem, OrderStatus, Refund

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
    _assign_pickup_code(order, now=now)
    order_status_publish_on_commit(order_id=order.pk, status=order.status)
    customer_event_raise(order=order, content=f"订单{order.number}已支付，等待商家接单")
    alert_raise(kind=AlertKind.NEW_ORDER, order=order)
    return PaymentOutcome(order, newly_paid=True)


PICKUP_CODE_ATTEMPTS = 20


def _assign_pickup_code(order: Order, *, now: datetime) -> None:
    """Give a paid order a random 6-digit code, unique among open orders, valid for a while.

    The database constraint decides uniqueness; a clash (two payments drawing one code at the
    same moment) rolls back only the savepoint and draws again.
    """
    order.pickup_code_expires_at = now + timedelta(hours=settings.PICKUP_CODE_TTL_HOURS)
    for _ in range(PICKUP_CODE_ATTEMPTS):
        code = f"{secrets.randbelow(10**6):06d}"
        if Order.objects.filter(pickup_code=code, status__in=OPEN).exists():
            continue
        order.pickup_code = code
        try:
            with transaction.atomic():
                order.save(update_fields=["pickup_code", "pickup_code_expires_at"])
        except IntegrityError:
            continue
        return
    raise RuntimeError("no free pickup code found; too many open orders for 6 digits")


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


def _move(
    order_id: int,
    target: str,
    *,
    content: str,
    reason: str = "",
    only_from: frozenset[str] | str | None = None,
    customer=None,
    **fields,
) -> Order:
    """Lock the order, check the transition table, write the move and announce it on commit.

    `content` (and `reason`) is what the order's customer reads; `customer`, when given, limits
    the move to that customer's own orders. A paid order that is cancelled records a refund.
    """
    queryset = Order.objects.select_for_update().filter(pk=order_id)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    order = queryset.first()
    if order is None:
        raise OrderNotFound(order_id)
    allowed = {only_from} if isinstance(only_from, str) else only_from
    if not order.can_move_to(target) or (allowed is not None and order.status not in allowed):
        raise IllegalTransition(order, target)
    order.status = target
    order.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["status", "status_changed_at", *fields])
    if target == OrderStatus.CANCELLED and order.paid_at is not None:
        Refund.objects.create(
            order=order,
            amount=order.amount,
            transaction_id=order.transaction_id or "",
            reason=reason or content,
        )
        content = f"{content}，已登记退款{order.amount / 100:.2f}元"
    order_status_publish_on_commit(order_id=order.pk, status=order.status)
    customer_event_raise(order=order, content=content, reason=reason)
    return order


# Only an order waiting for the shop can be turned down; later, the shop cancels instead.
REJECTABLE = OrderStatus.TO_BE_CONFIRMED


def _with_reason(text: str, reason: str) -> str:
    return f"{text}：{reason}" if reason else text


@transaction.atomic
def order_confirm(*, order_id: int, by) -> Order:
    """The shop accepts a paid order."""
    return _move(order_id, OrderStatus.CONFIRMED, content="商家已接单，正在备餐")


@transaction.atomic
def order_reject(*, order_id: int, by, reason: str) -> Order:
    """The shop turns down a paid order (it is cancelled, with the reason kept)."""
    return _move(
        order_id,
        OrderStatus.CANCELLED,
        content=_with_reason("商家已拒单", reason),
        reason=reason,
        only_from=REJECTABLE,
        reject_reason=reason,
    )


@transaction.atomic
def order_start_delivery(*, order_id: int, by) -> Order:
    """The order leaves the shop."""
    return _move(order_id, OrderStatus.DELIVERING, content="订单正在派送")


@transaction.atomic
def order_complete(*, order_id: int, by) -> Order:
    """The order reached the customer."""
    return _move(order_id, OrderStatus.COMPLETED, content="订单已送达")


@transaction.atomic
def order_cancel(*, order_id: int, by, reason: str = "") -> Order:
    """Cancel an order that has not left the shop."""
    return _move(
        order_id,
        OrderStatus.CANCELLED,
        content=_with_reason("商家已取消订单", reason),
        reason=reason,
        cancel_reason=reason,
    )


def order_shop_actions(order: Order) -> list[str]:
    """The shop's moves (confirm, reject, deliver, complete, cancel) the order's status allows."""
    targets = {
        "confirm": OrderStatus.CONFIRMED,
        "reject": OrderStatus.CANCELLED,
        "deliver": OrderStatus.DELIVERING,
        "complete": OrderStatus.COMPLETED,
        "cancel": OrderStatus.CANCELLED,
    }
    return [
        name
        for name, target in targets.items()
        if order.can_move_to(target) and (name != "reject" or order.status == REJECTABLE)
    ]


@transaction.atomic
def order_cancel_by_customer(*, order_id: int, customer, reason: str = "") -> Order:
    """The customer withdraws an order the shop has not accepted yet; a paid one is refunded."""
    return _move(
        order_id,
        OrderStatus.CANCELLED,
        content=_with_reason("您已取消订单", reason),
        reason=reason,
        only_from=CUSTOMER_CANCELLABLE,
        customer=customer,
        cancel_reason=reason or "顾客取消",
    )


def order_payment_start(*, order_id: int, customer) -> dict:
    """What the customer's client needs to pay an unpaid order of theirs."""
    order = Order.objects.filter(pk=order_id, customer=customer).first()
    if order is None:
        raise OrderNotFound(order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise IllegalTransition(order, "paid")
    return payments.payment_request(order)


@transaction.atomic
def order_complete_by_pickup_code(*, code: str, by) -> Order:
    """The shop scans the customer's pickup code at handover: the order completes.

    Only a delivering order (handed to the rider or set out for pickup) completes; a wrong,
    used or expired code changes nothing.
    """
    open_id = (
        Order.objects.filter(pickup_code=code, status__in=OPEN).values_list("pk", flat=True).first()
    )
    if open_id is None:
        closed = Order.objects.filter(pickup_code=code).order_by("-pk").first()
        if closed is None or not code:
            raise PickupCodeUnknown("no open order has this pickup code")
        raise PickupCodeUsed(
            f"this pickup code is no longer valid: order {closed.number} is {closed.status}"
        )
    order = Order.objects.select_for_update().get(pk=open_id)
    if order.pickup_code != code or order.status not in OPEN:
        raise PickupCodeUsed(
            f"this pickup code is no longer valid: order {order.number} is {order.status}"
        )
    if order.pickup_code_expires_at is not None and order.pickup_code_expires_at <= timezone.now():
        raise PickupCodeExpired(f"the pickup code of order {order.number} has expired")
    return _move(
        order.pk,
        OrderStatus.COMPLETED,
        content="取餐码已核销，订单已完成",
        only_from=OrderStatus.DELIVERING,
    )


# -- timers (run by `manage.py run_timers`) --------------------------------------------------


def orders_cancel_unpaid(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel orders left unpaid for ORDER_PAYMENT_TIMEOUT_MINUTES; returns how many.

    One transaction per order, each lock taken with SKIP LOCKED: two workers share the work
    and never cancel one order twice, and a payment that holds the row wins.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES)
    due = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, created_at__lt=cutoff)
    return sum(
        _timer_move(
            order_id,
            due,
            OrderStatus.CANCELLED,
            content="超时未支付，订单已自动取消",
            cancel_reason="超时未支付",
        )
        for order_id in list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    )


def orders_complete_long_delivering(*, now: datetime | None = None, limit: int = 500) -> int:
    """Complete orders delivering for ORDER_DELIVERY_AUTOCOMPLETE_HOURS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.ORDER_DELIVERY_AUTOCOMPLETE_HOURS)
    due = Order.objects.filter(status=OrderStatus.DELIVERING, status_changed_at__lt=cutoff)
    return sum(
        _timer_move(order_id, due, OrderStatus.COMPLETED, content="订单已自动完成")
        for order_id in list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    )


@transaction.atomic
def _timer_move(order_id: int, due, target: str, *, content: str, **fields) -> bool:
    """Move one due order unless another worker holds it or it is no longer due."""
    locked = due.select_for_update(skip_locked=True).filter(pk=order_id)
    if locked.values_list("pk", flat=True).first() is None:
        return False
    _move(order_id, target, content=content, **fields)
    return True
