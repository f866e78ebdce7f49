"""Order text (remarks, addresses, names) reaches pages only as text."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from notifications.models import Alert
from orders.services import order_create
from tests.conftest import make_user, next_alert, open_admin_socket, pay

pytestmark = pytest.mark.django_db(transaction=True)

HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def html_order(dish):
    customer = make_user(f"c{HTML}"[:150])
    return order_create(
        customer=customer,
        items=[{"dish": dish.pk, "quantity": 1}],
        address=f"1 Road {HTML}",
        remark=f"no onions {HTML}",
    )


async def test_alert_frames_carry_no_order_text_but_the_number(staff_token, html_order):
    socket = await open_admin_socket(token=staff_token, live=True)

    await database_sync_to_async(pay)(html_order)

    frame = await next_alert(socket)
    alert = await database_sync_to_async(Alert.objects.get)()
    assert frame == {
        "type": 1,
        "orderId": html_order.pk,
        "content": f"订单号：{html_order.number}",
        "id": alert.pk,
        "orderNumber": html_order.number,
        "createdAt": timezone.localtime(alert.created_at).isoformat(),
        "acknowledgedBy": None,
    }
    await socket.disconnect()


@pytest.fixture
def admin_client(staff):
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/admin/orders/order/", True),
        ("/admin/orders/order/{order}/change/", True),
        ("/admin/notifications/alert/", False),
    ],
)
def test_pages_that_render_orders_escape_their_text(admin_client, html_order, path, shown):
    pay(html_order)

    page = admin_client.get(path.format(order=html_order.pk)).content.decode()

    assert "<script>" not in page
    assert "<img src=x" not in page
    assert ("&lt;script&gt;" in page) is shown


def test_the_order_api_returns_order_text_as_json_strings_only(admin_client, html_order):
    response = admin_client.get("/api/admin/orders/")

    assert response["Content-Type"] == "application/json"
    row = response.json()["results"][0]
    assert (row["remark"], row["address"]) == (html_order.remark, html_order.address)
