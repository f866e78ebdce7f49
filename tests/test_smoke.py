"""End to end on whatever database and channel layer the settings give (the embedded defaults
included): order, signed notify, urge, both alerts on an admin socket, the customer's events."""

import pytest
from channels.db import database_sync_to_async

from tests.conftest import WAIT, open_admin_socket, pay, token_for

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]


async def test_order_paid_and_urged_alerts_a_staff_page(staff, customer, customer_api, dish):
    socket = await open_admin_socket(
        token=await database_sync_to_async(token_for)(staff), protocol=False, live=True
    )

    @database_sync_to_async
    def order_pay_and_urge():
        created = customer_api.post(
            "/api/orders/",
            {"items": [{"dish": dish.pk, "quantity": 2}], "address": "x"},
            format="json",
        )
        from orders.models import Order

        order = Order.objects.get(pk=created.json()["id"])
        paid = pay(order)
        urged = customer_api.post(f"/api/orders/{order.pk}/reminder/")
        return order, created.status_code, paid.status_code, urged.status_code

    order, *statuses = await order_pay_and_urge()

    assert statuses == [201, 200, 201]
    new_order = await socket.receive_json_from(timeout=WAIT)
    urge = await socket.receive_json_from(timeout=WAIT)
    assert (new_order["type"], new_order["orderNumber"]) == (1, order.number)
    assert (urge["type"], urge["orderNumber"]) == (2, order.number)
    assert urge["id"] > new_order["id"]
    await socket.disconnect()


async def test_customer_hears_payment_and_pickup_on_socket_and_long_poll(
    staff, customer, customer_api, dish
):
    from django.test import AsyncClient

    from tests.conftest import open_customer_socket

    key = await database_sync_to_async(token_for)(customer)
    socket = await open_customer_socket(token=key, live=True)

    @database_sync_to_async
    def order_pay_and_hand_over():
        from orders.models import Order
        from orders.services import order_confirm, order_start_delivery

        created = customer_api.post(
            "/api/orders/",
            {"items": [{"dish": dish.pk, "quantity": 1}], "address": "x"},
            format="json",
        )
        order = Order.objects.get(pk=created.json()["id"])
        pay(order)
        order_confirm(order_id=order.pk, by=staff)
        order_start_delivery(order_id=order.pk, by=staff)
        order.refresh_from_db()
        from rest_framework.test import APIClient

        scanner = APIClient()
        scanner.force_authenticate(staff)
        scanned = scanner.post(
            "/api/admin/orders/scan/", {"code": order.pickup_code}, format="json"
        )
        return order, scanned.status_code

    order, scanned = await order_pay_and_hand_over()

    frames = [await socket.receive_json_from(timeout=5) for _ in range(4)]
    polled = await AsyncClient().get(
        "/api/events/?since=0&timeout=0", headers={"Authorization": f"Token {key}"}
    )
    assert scanned == 200
    assert [f["status"] for f in frames] == [
        "to_be_confirmed",
        "confirmed",
        "delivering",
        "completed",
    ]
    assert polled.json()["events"] == frames
    await socket.disconnect()
