"""Reads of dishes and orders."""

from .models import Dish, Order


def dishes_available():
    """Dishes that can be ordered now."""
    return Dish.objects.filter(is_active=True).order_by("id")


def _orders():
    return Order.objects.select_related("customer").prefetch_related("items")


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
