"""The connection-check page and its echo socket (contract section 7: /ws-check/)."""

import os

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from notifications.wscheck.consumers import ConnectionCheckConsumer
from tests.conftest import make_user, token_for

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10


def test_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get("/ws-check/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/ws-check/")


def test_signed_in_customer_gets_403(customer):
    client = Client()
    client.force_login(customer)

    assert client.get("/ws-check/").status_code == 403


def test_staff_gets_the_page_with_its_script(staff):
    client = Client()
    client.force_login(staff)

    response = client.get("/ws-check/")

    assert response.status_code == 200
    assert "WebSocket 连接检测" in response.text
    assert "/static/notifications/ws-check.js" in response.text


async def open_check_socket(token=None) -> WebsocketCommunicator:
    from takeout.asgi import application

    path = "/ws/check/op-1" + (f"?token={token}" if token else "")
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect(timeout=WAIT)
    assert connected
    return communicator


async def token_of_new_user(username="op", is_staff=True) -> str:
    user = await database_sync_to_async(make_user)(username, is_staff=is_staff)
    return await database_sync_to_async(token_for)(user)


async def test_check_socket_greets_with_the_answering_process():
    socket = await open_check_socket(await token_of_new_user())

    hello = await socket.receive_json_from(timeout=WAIT)

    assert (hello["event"], hello["scheme"]) == ("hello", "ws")
    assert hello["server"].endswith(f":{os.getpid()}")
    await socket.disconnect()


async def test_check_socket_echoes_text():
    socket = await open_check_socket(await token_of_new_user())
    await socket.receive_json_from(timeout=WAIT)  # hello

    await socket.send_to(text_data="你好 echo")

    assert await socket.receive_json_from(timeout=WAIT) == {"event": "echo", "text": "你好 echo"}
    await socket.disconnect()


async def test_check_socket_pushes_the_server_time(monkeypatch):
    monkeypatch.setattr(ConnectionCheckConsumer, "time_push_seconds", 0.2)
    socket = await open_check_socket(await token_of_new_user())
    await socket.receive_json_from(timeout=WAIT)  # hello

    frame = await socket.receive_json_from(timeout=WAIT)

    assert frame["event"] == "time"
    assert frame["now"].endswith("+00:00")
    await socket.disconnect()


async def test_anonymous_check_socket_is_closed_with_4401():
    socket = await open_check_socket()

    assert await socket.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4401}
    await socket.disconnect()


async def test_customer_check_socket_is_closed_with_4403():
    socket = await open_check_socket(await token_of_new_user("carol", is_staff=False))

    assert await socket.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4403}
    await socket.disconnect()
