"""A WeChat Pay notify reaches the admin pages, once, also under concurrent repeats."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from rest_framework.test import APIClient

from notifications.models import Alert
from orders.models import Order, OrderStatus
from tests.conftest import next_alert, open_admin_socket, require

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/payments/wechat/notify/"


def post(body: bytes, headers: dict) -> int:
    try:
        return (
            APIClient().post(URL, data=body, content_type="application/json", **headers).status_code
        )
    finally:
        connection.close()  # each thread has its own connection


async def test_a_valid_notify_reaches_an_admin_socket_as_a_new_order_alert(
    wechat_settings, wechatpay, staff_token, order
):
    socket = await open_admin_socket(token=staff_token, protocol=False, live=True)
    body = wechatpay.body(wechatpay.transaction(number=order.number, total=order.amount))

    status = await database_sync_to_async(post)(body, wechatpay.headers(body))

    assert status == 204
    alert = await database_sync_to_async(Alert.objects.get)()
    assert await next_alert(socket) == alert.as_payload()
    assert (alert.kind, alert.order_id) == (1, order.pk)
    await socket.disconnect()


@pytest.mark.postgres
async def test_twenty_concurrent_repeats_raise_one_alert(
    wechat_settings, wechatpay, staff_token, order
):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) is needed")
    socket = await open_admin_socket(token=staff_token, protocol=False, live=True)
    body = wechatpay.body(wechatpay.transaction(number=order.number, total=order.amount))
    copies = [wechatpay.headers(body) for _ in range(20)]  # WeChat re-signs every delivery

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = await asyncio.get_running_loop().run_in_executor(
            None, lambda: list(pool.map(lambda headers: post(body, headers), copies))
        )

    assert statuses == [204] * 20
    assert (await socket.receive_json_from(timeout=5))["type"] == 1
    assert await socket.receive_nothing(timeout=1)
    assert await database_sync_to_async(Alert.objects.count)() == 1
    paid = await database_sync_to_async(Order.objects.get)(pk=order.pk)
    assert paid.status == OrderStatus.TO_BE_CONFIRMED
    await socket.disconnect()
