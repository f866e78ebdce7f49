"""Dishes and orders, with the table of allowed status transitions."""

from django.conf import settings
from django.db import models


class Dish(models.Model):
    """Something on the menu; price in cents (fen)."""

    name = models.CharField(max_length=100)
    price = models.PositiveIntegerField(help_text="cents")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "菜品"
        verbose_name_plural = "菜品"

    def __str__(self):
        return self.name


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "待付款"
    TO_BE_CONFIRMED = "to_be_confirmed", "待接单"
    CONFIRMED = "confirmed", "已接单"
    DELIVERING = "delivering", "派送中"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


S = OrderStatus

# The one table of legal moves. A rejection is a cancellation with a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.TO_BE_CONFIRMED, S.CANCELLED}),
    S.TO_BE_CONFIRMED: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.DELIVERING, S.CANCELLED}),
    S.DELIVERING: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

REMINDABLE = frozenset({S.TO_BE_CONFIRMED, S.CONFIRMED, S.DELIVERING})
# Paid and not finished: a pickup code is unique among these orders.
OPEN = frozenset({S.TO_BE_CONFIRMED, S.CONFIRMED, S.DELIVERING})
# What a customer may still cancel themselves: before the shop has accepted the order.
CUSTOMER_CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.TO_BE_CONFIRMED})


class Order(models.Model):
    """A customer's order; money in cents, status moved only by orders.services."""

    number = models.CharField(max_length=32, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    amount = models.PositiveIntegerField(help_text="cents")
    address = models.CharField(max_length=255)
    remark = models.CharField(max_length=500, blank=True)
    transaction_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=255, blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)
    pickup_code = models.CharField(max_length=6, blank=True)
    pickup_code_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"]),
            models.Index(fields=["pickup_code"], name="order_pickup_code_idx"),
        ]
        constraints = [
            # A scanned code must name one order; closed orders keep theirs to tell "used".
            models.UniqueConstraint(
                fields=["pickup_code"],
                condition=models.Q(status__in=sorted(OPEN)) & ~models.Q(pickup_code=""),
                name="order_pickup_code_unique_while_open",
            )
        ]
        verbose_name = "订单"
        verbose_name_plural = "订单"

    def __str__(self):
        return self.number

    def can_move_to(self, status: str) -> bool:
        """Whether the transition table allows moving from the current status to `status`."""
        return status in TRANSITIONS[self.status]

    @property
    def remindable(self) -> bool:
        return self.status in REMINDABLE


class OrderItem(models.Model):
    """One line of an order, with the name and price frozen at order time."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    dish = models.ForeignKey(Dish, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    unit_price = models.PositiveIntegerField(help_text="cents")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} x{self.quantity}"


class Refund(models.Model):
    """Money owed back for a paid order that was cancelled; recorded here, paid out by hand."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="refund")
    amount = models.PositiveIntegerField(help_text="cents")
    transaction_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "退款"
        verbose_name_plural = "退款"

    def __str__(self):
        return f"refund {self.amount} for order {self.order_id}"
