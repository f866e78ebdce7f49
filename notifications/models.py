"""The alert log and the customers' event log: everything is stored before anyone hears of it."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AlertKind(models.IntegerChoices):
    NEW_ORDER = 1, "来单提醒"
    URGE = 2, "客户催单"


class Alert(models.Model):
    """One alert to the shop's staff; its id is the cursor pages replay from."""

    kind = models.PositiveSmallIntegerField(choices=AlertKind.choices)
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="alerts")
    order_number = models.CharField(max_length=32)
    content = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "提醒"
        verbose_name_plural = "提醒"

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.order_number}"

    def as_payload(self) -> dict:
        """The contract's alert frame; JSON-safe values only (msgpack carries it)."""
        return {
            "type": self.kind,
            "orderId": self.order_id,
            "content": self.content,
            "id": self.pk,
            "orderNumber": self.order_number,
            "createdAt": timezone.localtime(self.created_at).isoformat(),
            # Replays tell a page that came back what was handled while it was away.
            "acknowledgedBy": (
                self.acknowledged_by.get_username() if self.acknowledged_by_id else None
            ),
        }


class CustomerEvent(models.Model):
    """One status change of a customer's order, as that customer hears it.

    Its id is the cursor the customer's stream and long-poll replay from; a customer's events
    commit in id order (notifications.services serializes them per customer).
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_events"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="customer_events"
    )
    status = models.CharField(max_length=20)
    content = models.CharField(max_length=300)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["customer", "id"])]
        verbose_name = "顾客通知"
        verbose_name_plural = "顾客通知"

    def __str__(self):
        return f"#{self.pk} {self.status} order {self.order_id}"

    def as_payload(self) -> dict:
        """The contract's customer `order` frame; JSON-safe values only (msgpack carries it)."""
        return {
            "event": "order",
            "id": self.pk,
            "orderId": self.order_id,
            "status": self.status,
            "content": self.content,
            "reason": self.reason,
            "createdAt": self.created_at.isoformat(),
        }
