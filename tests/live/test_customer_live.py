"""The customer side across real daphne processes sharing Redis and PostgreSQL."""

import asyncio
import json
import subprocess
import sys
import urllib.request

import pytest
import websockets
from channels.db import database_sync_to_async

from notifications.models import CustomerEvent
from orders.models import Order
from tests.conftest import mark_paid, token_for
from tests.live.servers import ROOT, daphne, server_env

pytestmark = [
    pytest.mark.live,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def http(method: str, url: str, token: str, timeout: float = 40) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url, method=method, headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status, json.loads(response.read())


async def test_long_poll_on_one_process_returns_with_an_event_raised_on_another(
    redis_layer, postgres, customer, staff, order
):
    await database_sync_to_async(mark_paid)(order)
    customer_key = await database_sync_to_async(token_for)(customer)
    staff_key = await database_sync_to_async(token_for)(staff)
    cursor = await database_sync_to_async(lambda: CustomerEvent.objects.latest("pk").pk)()
    with daphne() as first, daphne() as second:
        poll = asyncio.ensure_future(
            asyncio.to_thread(
                http, "GET", f"http://{first}/api/events/?since={cursor}&timeout=30", customer_key
            )
        )
        # The confirm may land before the poll listens; then the poll finds it in the store.
        # Either way it must answer with the event.
        status, _ = await asyncio.to_thread(
            http, "POST", f"http://{second}/api/admin/orders/{order.pk}/confirm/", staff_key
        )
        poll_status, answer = await asyncio.wait_for(poll, 40)

    confirmed = await database_sync_to_async(lambda: CustomerEvent.objects.latest("pk"))()
    assert (status, poll_status) == (200, 200)
    assert answer == {"events": [confirmed.as_payload()], "cursor": confirmed.pk}


async def test_customer_socket_on_one_process_hears_a_payment_on_another(
    redis_layer, postgres, customer, order
):
    key = await database_sync_to_async(token_for)(customer)
    with daphne() as first, daphne() as second:
        socket = await websockets.connect(
            f"ws://{second}/ws/customer/phone", additional_headers={"Authorization": f"Token {key}"}
        )
        await socket.send(json.dumps({"action": "ping"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"event": "pong"}

        await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "manage.py",
                "pay_sandbox",
                order.number,
                "--server",
                f"http://{first}",
            ],
            cwd=ROOT,
            env=server_env(),
            check=True,
            capture_output=True,
        )

        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
        await socket.close()
    assert (frame["orderId"], frame["status"]) == (order.pk, "to_be_confirmed")
    assert await database_sync_to_async(lambda: Order.objects.get(pk=order.pk).status)() == (
        "to_be_confirmed"
    )
