"""Two real daphne processes on one Redis channel layer and one PostgreSQL database."""

import asyncio
import json

import pytest
import websockets
from channels.db import database_sync_to_async

from tests.conftest import token_for
from tests.live.servers import daphne, post_notify

pytestmark = [
    pytest.mark.live,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


async def live_socket(base: str, token: str):
    socket = await websockets.connect(f"ws://{base}/ws/live-page?token={token}")
    await socket.send(json.dumps({"action": "ping"}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"event": "pong"}
    return socket


async def test_notify_on_one_process_reaches_a_socket_on_the_other(
    redis_layer, postgres, staff, order
):
    token = await database_sync_to_async(token_for)(staff)
    with daphne() as first, daphne() as second:
        socket = await live_socket(second, token)

        status = await asyncio.to_thread(post_notify, first, order)

        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert status == 200
        assert (frame["type"], frame["orderNumber"]) == (1, order.number)
        await socket.close()


async def test_idle_socket_still_receives_an_alert_after_eleven_seconds(
    redis_layer, postgres, staff, order
):
    token = await database_sync_to_async(token_for)(staff)
    with daphne() as first, daphne() as second:
        socket = await live_socket(second, token)
        await asyncio.sleep(11)

        await asyncio.to_thread(post_notify, first, order)

        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert (frame["type"], frame["orderNumber"]) == (1, order.number)
        await socket.close()
