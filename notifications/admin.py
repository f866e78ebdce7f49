"""The alert log in the Django admin: read-only, since alerts are a record of what was sent."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Alert


class AcknowledgedFilter(admin.SimpleListFilter):
    """Whether someone has acknowledged the alert."""

    title = "是否已确认"
    parameter_name = "acknowledged"

    def lookups(self, request, model_admin):
        return [("yes", "已确认"), ("no", "未确认")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "no")
        return queryset


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "order_link", "created_at", "acknowledged_by", "acknowledged_at"]
    list_filter = ["kind", AcknowledgedFilter]
    list_select_related = ["acknowledged_by"]
    search_fields = ["order_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="订单", ordering="order_number")
    def order_link(self, alert):
        # The alert keeps the order's number, so the link needs no join.
        url = reverse("admin:orders_order_change", args=[alert.order_id])
        return format_html('<a href="{}">{}</a>', url, alert.order_number)
