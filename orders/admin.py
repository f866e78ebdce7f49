from django.contrib import admin

from .models import Dish, Order, OrderItem


@admin.register(Dish)
class DishAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "is_active"]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    can_delete = False
    readonly_fields = ["dish", "name", "unit_price", "quantity"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "amount", "status", "paid_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["customer"]
    search_fields = ["number", "customer__username"]
    inlines = [OrderItemInline]
    readonly_fields = [
        "number",
        "customer",
        "amount",
        "status",
        "transaction_id",
        "paid_at",
        "created_at",
        "status_changed_at",
        "last_reminded_at",
        "reject_reason",
        "cancel_reason",
    ]
