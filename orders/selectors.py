"""Reads of dishes and orders."""

from django.utils import timezone

from .errors import OrderNotFound, PickupCodeExpired, PickupCodeUnavailable
from .models import OPEN, Dish, Order


def dishes_available():
    """Dishes that can be ordered now."""
    return Dish.objects.filter(is_active=True).order_by("id")


def _orders():
    return Order.objects.select_related("customer", "refund").prefetch_related("items")


def orders_of(customer, *, status: str | None = None):
    """A customer's orders, newest first."""
    queryset = _orders().filter(customer=customer)
    return queryset.filter(status=status) if status else queryset


def orders_for_staff(*, status: str | None = None):
    """Every order for the shop's board, newest first."""
    queryset = _orders()
    return queryset.filter(status=status) if status else queryset


def order_detail(order_id: int) -> Order:
    return _orders().get(pk=order_id)


def order_of(customer, order_id: int) -> Order:
    """One of the customer's orders; OrderNotFound for anyone else's."""
    order = _orders().filter(pk=order_id, customer=customer).first()
    if order is None:
        raise OrderNotFound(order_id)
    return order


def order_pickup_code(*, order_id: int, customer) -> str:
    """The code the customer shows at handover, while the order is paid and not finished."""
    order = Order.objects.filter(pk=order_id, customer=customer).first()
    if order is None:
        raise OrderNotFound(order_id)
    if order.status not in OPEN or not order.pickup_code:
        raise PickupCodeUnavailable(f"order {order.number} is {order.status}; no pickup code")
    if order.pickup_code_expires_at and order.pickup_code_expires_at <= timezone.now():
        raise PickupCodeExpired(f"the pickup code of order {order.number} has expired")
    return order.pickup_code
