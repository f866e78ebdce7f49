from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Dishes, orders and the rules of an order's life."""

    name = "orders"
    verbose_name = "订单"
