"""Shapes of the order API's input and output."""

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
