"""A real login and logout against a real server: the session's admin socket is closed."""

import asyncio
import json

import pytest
import websockets

from tests.faults.live import log_in

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.postgres]
pytestmark.append(pytest.mark.django_db(transaction=True))


async def test_logging_out_closes_the_sessions_socket_on_a_live_server(server, staff):
    client = await asyncio.to_thread(log_in, server.base, "clerk", "pw-clerk")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    socket = await websockets.connect(
        f"ws://{server.base}/ws/session-page", additional_headers={"Cookie": cookie}
    )
    await socket.send(json.dumps({"action": "ping"}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"event": "pong"}

    csrf = client.cookies["csrftoken"]
    logout = await asyncio.to_thread(
        client.post, "/accounts/logout/", data={"csrfmiddlewaretoken": csrf}
    )

    await asyncio.wait_for(socket.wait_closed(), 10)
    assert logout.status_code == 302
    assert socket.close_code == 4401
    client.close()
