"""Dishes and orders in the Django admin; every order move goes through orders.services."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from . import services
from .errors import IllegalTransition
from .models import Dish, Order, OrderItem, OrderStatus


def yuan(cents: int) -> str:
    """Cents as the shop writes money, e.g. 5600 -> ¥56.00."""
    return f"¥{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True)
class Move:
    """One way the shop moves an order on, as the admin offers it."""

    label: str
    service: Callable
    # None: no reason asked; False: optional; True: required.
    reason: bool | None = None


MOVES = {
    "confirm": Move("接单", services.order_confirm),
    "reject": Move("拒单", services.order_reject, reason=True),
    "deliver": Move("派送", services.order_start_delivery),
    "complete": Move("完成", services.order_complete),
    "cancel": Move("取消", services.order_cancel, reason=False),
}


class ReasonForm(forms.Form):
    """The reason a customer reads when the shop rejects or cancels their order."""

    reason = forms.CharField(label="原因", max_length=255)

    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class DishForm(forms.ModelForm):
    class Meta:
        model = Dish
        fields = ["name", "price", "is_active"]
        labels = {"name": "名称", "price": "价格（分）", "is_active": "在售"}
        help_texts = {"price": "以分为单位：2800 即 ¥28.00。"}


@admin.register(Dish)
class DishAdmin(admin.ModelAdmin):
    form = DishForm
    list_display = ["name", "price_yuan", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    @admin.display(description="价格", ordering="price")
    def price_yuan(self, dish):
        return yuan(dish.price)


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    can_delete = False
    fields = ["name", "unit_price_yuan", "quantity"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="单价")
    def unit_price_yuan(self, item):
        return yuan(item.unit_price)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "amount_yuan", "status", "paid_at", "created_at"]
    list_filter = ["status", "created_at"]
    list_select_related = ["customer"]
    search_fields = ["number", "customer__username"]
    inlines = [OrderItemInline]
    actions = [
        "confirm_orders",
        "reject_orders",
        "deliver_orders",
        "complete_orders",
        "cancel_orders",
    ]
    # Nothing is edited by hand: status, money and times belong to the services, and the
    # address and remark are the customer's.
    fields = [
        "number",
        "customer",
        "amount_yuan",
        "status",
        "address",
        "remark",
        "created_at",
        "paid_at",
        "transaction_id",
        "status_changed_at",
        "last_reminded_at",
        "reject_reason",
        "cancel_reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="金额", ordering="amount")
    def amount_yuan(self, order):
        return yuan(order.amount)

    # -- moving orders on --------------------------------------------------------------------

    def move(self, request, order_id: int, name: str, **kwargs) -> bool:
        """Run one move through its service; an illegal one becomes an error message."""
        move = MOVES[name]
        try:
            move.service(order_id=order_id, by=request.user, **kwargs)
        except IllegalTransition as error:
            status = OrderStatus(error.status).label
            self.message_user(
                request,
                f"订单 {error.number} 当前为「{status}」，不能{move.label}。",
                messages.ERROR,
            )
            return False
        return True

    def move_each(self, request, queryset, name: str, **kwargs) -> None:
        """Move every selected order that can move; each one that cannot gets its message."""
        moved = sum(
            self.move(request, order_id, name, **kwargs)
            for order_id in queryset.order_by("pk").values_list("pk", flat=True)
        )
        if moved:
            self.message_user(request, f"已{MOVES[name].label} {moved} 个订单。", messages.SUCCESS)

    def move_each_with_reason(self, request, queryset, name: str):
        """Ask for the reason on an intermediate page, then move the selected orders."""
        move = MOVES[name]
        form = ReasonForm(request.POST if "apply" in request.POST else None, required=move.reason)
        if form.is_valid():
            self.move_each(request, queryset, name, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{move.label}：填写原因",
            "opts": self.opts,
            "orders": queryset.order_by("pk"),
            "form": form,
            "action": request.POST["action"],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "move": move,
        }
        return TemplateResponse(request, "admin/orders/order/move_reason.html", context)

    @admin.action(description="接单", permissions=["change"])
    def confirm_orders(self, request, queryset):
        self.move_each(request, queryset, "confirm")

    @admin.action(description="拒单（填写原因）", permissions=["change"])
    def reject_orders(self, request, queryset):
        return self.move_each_with_reason(request, queryset, "reject")

    @admin.action(description="派送", permissions=["change"])
    def deliver_orders(self, request, queryset):
        self.move_each(request, queryset, "deliver")

    @admin.action(description="完成", permissions=["change"])
    def complete_orders(self, request, queryset):
        self.move_each(request, queryset, "complete")

    @admin.action(description="取消（填写原因）", permissions=["change"])
    def cancel_orders(self, request, queryset):
        return self.move_each_with_reason(request, queryset, "cancel")

    # -- buttons on the order's page ---------------------------------------------------------

    def get_urls(self):
        buttons = [
            path(
                f"<int:order_id>/{name}/",
                self.admin_site.admin_view(require_POST(self.move_view)),
                {"name": name},
                name=f"orders_order_{name}",
            )
            for name in MOVES
        ]
        return buttons + super().get_urls()

    def move_view(self, request, order_id: int, name: str):
        """POST from a button on the order's page: one move, then back to the page."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order.objects.only("pk", "number"), pk=order_id)
        move = MOVES[name]
        kwargs = {}
        if move.reason is not None:
            form = ReasonForm(request.POST, required=move.reason)
            if not form.is_valid():
                self.message_user(request, f"{move.label}需要填写原因。", messages.ERROR)
                return redirect("admin:orders_order_change", order.pk)
            kwargs["reason"] = form.cleaned_data["reason"]
        if self.move(request, order.pk, name, **kwargs):
            self.message_user(request, f"已{move.label}：订单 {order.number}。", messages.SUCCESS)
        return redirect("admin:orders_order_change", order.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            # Every field is read-only, so there is nothing to save.
            "show_save": False,
            "show_save_and_continue": False,
        }
        order = self.get_object(request, object_id)
        if order is not None and self.has_change_permission(request, order):
            extra_context["order_moves"] = [
                {
                    "name": name,
                    "label": MOVES[name].label,
                    "reason": MOVES[name].reason,
                    "url": reverse(f"admin:orders_order_{name}", args=[order.pk]),
                }
                for name in services.order_shop_actions(order)
            ]
        return super().change_view(request, object_id, form_url, extra_context)
