"""Shapes of the order API's input and output."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Dish, Order, OrderItem, OrderStatus


class DishSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dish
        fields = ["id", "name", "price"]


class OrderItemSerializer(serializers.ModelSerializer):
    dish = serializers.IntegerField(source="dish_id")
    unitPrice = serializers.IntegerField(source="unit_price")  # noqa: N815 - wire name

    class Meta:
        model = OrderItem
        fields = ["dish", "name", "quantity", "unitPrice"]


class OrderSerializer(serializers.ModelSerializer):
    """An order as clients see it; money in cents, times ISO 8601 with offset."""

    items = OrderItemSerializer(many=True, read_only=True)
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    paidAt = serializers.DateTimeField(source="paid_at", allow_null=True)  # noqa: N815
    customer = serializers.CharField(source="customer.username")
    rejectReason = serializers.CharField(source="reject_reason")  # noqa: N815
    cancelReason = serializers.CharField(source="cancel_reason")  # noqa: N815

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "amount",
            "address",
            "remark",
            "createdAt",
            "paidAt",
            "customer",
            "rejectReason",
            "cancelReason",
            "items",
        ]
        read_only_fields = fields


class OrderLineInputSerializer(serializers.Serializer):
    dish = serializers.IntegerField(min_value=1, max_value=2**62)
    quantity = serializers.IntegerField(min_value=1, max_value=99)


class OrderCreateInputSerializer(serializers.Serializer):
    items = OrderLineInputSerializer(many=True, allow_empty=False, max_length=50)
    address = serializers.CharField(max_length=255)
    remark = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")


class RequiredReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class StatusFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.values, required=False)


class ReminderSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the alert's id")
    orderId = serializers.IntegerField()  # noqa: N815
    type = serializers.IntegerField()
    content = serializers.CharField()


class PaymentNotifySerializer(serializers.Serializer):
    """The provider's notify body (contract section 4)."""

    class AmountSerializer(serializers.Serializer):
        total = serializers.IntegerField(min_value=0)

    out_trade_no = serializers.CharField(max_length=32)
    transaction_id = serializers.CharField(max_length=64)
    trade_state = serializers.CharField(max_length=32)
    amount = AmountSerializer()


class NotifyAnswerSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["SUCCESS", "FAIL"])
    message = serializers.CharField(required=False)


class RefundSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="cents")
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    executedAt = serializers.DateTimeField(source="executed_at", allow_null=True)  # noqa: N815


class CustomerOrderSerializer(OrderSerializer):
    """An order as its customer sees it: with the pickup code and any refund recorded."""

    pickupCode = serializers.CharField(  # noqa: N815
        source="pickup_code", help_text="6 digits once paid; empty before"
    )
    pickupCodeExpiresAt = serializers.DateTimeField(  # noqa: N815
        source="pickup_code_expires_at", allow_null=True
    )
    refund = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "pickupCode", "pickupCodeExpiresAt", "refund"]
        read_only_fields = fields

    @extend_schema_field(RefundSerializer(allow_null=True))
    def get_refund(self, order):
        refund = getattr(order, "refund", None)  # the reverse one-to-one raises when absent
        return RefundSerializer(refund).data if refund is not None else None


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class PickupScanInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^\d{6}$", help_text="the 6 digits read from the QR code")


class PaymentStartSerializer(serializers.Serializer):
    """How to pay: `mode` says which of `notify` (sandbox) or `wechat` (prepay data) is set."""

    mode = serializers.ChoiceField(choices=["sandbox", "wechat"])
    orderId = serializers.IntegerField()  # noqa: N815
    number = serializers.CharField()
    amount = serializers.IntegerField(help_text="cents")
    expiresAt = serializers.DateTimeField(help_text="unpaid orders cancel then")  # noqa: N815
    notify = serializers.DictField(
        required=False, help_text="sandbox: the signed notify that pays the order, and a command"
    )
    wechat = serializers.DictField(required=False, help_text="WeChat Pay: the prepay parameters")


class ErrorSerializer(serializers.Serializer):
    """Every API error: `detail` says what went wrong."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="pickup-code errors: which one")
    status = serializers.CharField(required=False, help_text="the order's current status")
    retryAfter = serializers.IntegerField(required=False)  # noqa: N815
