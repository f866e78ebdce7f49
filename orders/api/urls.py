from django.urls import path

from . import staff, views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("dishes/", views.DishListView.as_view(), name="dish-list"),
    path("orders/", views.OrderListCreateView.as_view(), name="order-list"),
    path(
        "orders/<int:order_id>/reminder/", views.OrderReminderView.as_view(), name="order-reminder"
    ),
    path("payments/notify/", views.PaymentNotifyView.as_view(), name="payment-notify"),
    path("admin/orders/", staff.StaffOrderListView.as_view(), name="staff-order-list"),
    path(
        "admin/orders/<int:order_id>/<slug:action>/",
        staff.StaffOrderActionView.as_view(),
        name="staff-order-action",
    ),
]
