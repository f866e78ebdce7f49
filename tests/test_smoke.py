"""End to end on whatever database and channel layer the settings give (the embedded defaults
included): order, signed notify, urge, and both alerts on an admin socket."""

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
