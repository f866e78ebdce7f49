"""One customer cannot reach another's orders; customers cannot reach the staff's stream."""

import pytest

from notifications.models import Alert
from orders.services import order_create
from tests.conftest import open_admin_socket, pay, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_cannot_urge_another_customers_order(other_api, order):
    pay(order)

    response = other_api.post(f"/api/orders/{order.pk}/reminder/")

    assert (response.status_code, response.json()) == (404, {"detail": "order not found"})
    assert list(Alert.objects.values_list("kind", flat=True)) == [1]


def test_a_customer_lists_only_their_own_orders(other_api, other_customer, order, dish):
    own = order_create(
        customer=other_customer, items=[{"dish": dish.pk, "quantity": 1}], address="2 Road"
    )

    response = other_api.get("/api/orders/")

    assert [row["id"] for row in response.json()["results"]] == [own.pk]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/admin/orders/"),
        ("post", "/api/admin/orders/{order}/confirm/"),
        ("post", "/api/admin/orders/{order}/cancel/"),
        ("post", "/api/admin/orders/{order}/reject/"),
    ],
)
def test_a_customer_cannot_use_the_staff_order_api(customer_api, order, method, path):
    response = getattr(customer_api, method)(path.format(order=order.pk), format="json")

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "pending_payment"


async def test_a_customer_cannot_open_the_admin_stream(customer):
    from channels.db import database_sync_to_async

    token = await database_sync_to_async(token_for)(customer)
    socket = await open_admin_socket(token=token)

    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_an_unknown_token_cannot_open_the_admin_stream(db):
    socket = await open_admin_socket(token="0" * 40)

    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
