from django.urls import path

from . import staff, views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("dishes/", views.DishListView.as_view(), name="dish-list"),
    path("orders/", views.OrderListCreateView.as_view(), name="order-list"),
    path("orders/<int:order_id>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:order_id>/pay/", views.OrderPayView.as_view(), name="order-pay"),
    path("orders/<int:order_id>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path(
        "orders/<int:order_id>/pickup-code.svg",
        views.OrderPickupCodeView.as_view(),
        name="order-pickup-code",
    ),
    path(
        "orders/<int:order_id>/reminder/", views.OrderReminderView.as_view(), name="order-reminder"
    ),
    path("payments/notify/", views.PaymentNotifyView.as_view(), name="payment-notify"),
    path("admin/orders/", staff.StaffOrderListView.as_view(), name="staff-order-list"),
    path("admin/orders/scan/", staff.StaffPickupScanView.as_view(), name="staff-pickup-scan"),
    path(
        "admin/orders/<int:order_id>/<slug:action>/",
        staff.StaffOrderActionView.as_view(),
        name="staff-order-action",
    ),
]
