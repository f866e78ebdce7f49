"""End to end: the shop scans the pickup code; only that customer's socket hears it."""

import pytest
from channels.db import database_sync_to_async

from orders.services import order_confirm, order_create, order_start_delivery
from tests.conftest import api_client_for, mark_paid, open_customer_socket, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def delivering_order(order, staff):
    mark_paid(order)
    order_confirm(order_id=order.pk, by=staff)
    order_start_delivery(order_id=order.pk, by=staff)
    order.refresh_from_db()
    return order


@database_sync_to_async
def scan(staff, code):
    return api_client_for(staff).post("/api/admin/orders/scan/", {"code": code}, format="json")


async def test_scanned_code_completes_the_order_on_its_customers_socket_only(
    customer, other_customer, staff, order, dish
):
    order = await delivering_order(order, staff)
    other_order = await database_sync_to_async(order_create)(
        customer=other_customer, items=[{"dish": dish.pk, "quantity": 1}], address="x"
    )
    await delivering_order(other_order, staff)
    owner = await open_customer_socket(
        token=await database_sync_to_async(token_for)(customer), path="/ws/customer/a", live=True
    )
    bystander = await open_customer_socket(
        token=await database_sync_to_async(token_for)(other_customer),
        path="/ws/customer/b",
        live=True,
    )

    response = await scan(staff, order.pickup_code)

    frame = await owner.receive_json_from(timeout=5)
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (order.pk, "completed")
    assert (frame["event"], frame["orderId"], frame["status"], frame["content"]) == (
        "order",
        order.pk,
        "completed",
        "取餐码已核销，订单已完成",
    )
    assert await bystander.receive_nothing(timeout=0.5)
    await owner.disconnect()
    await bystander.disconnect()
