"""Hostile WebSocket clients against a real daphne process.

Each test abuses one socket, then checks that a well-behaved page on the same process still
answers and still receives a new alert, and that the server log has no traceback.
"""

import asyncio
import json
import os
import socket

import pytest
import websockets
from channels.db import database_sync_to_async

from tests.conftest import token_for
from tests.faults.live import Page, http, post_notify, raw_websocket

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.postgres]
pytestmark.append(pytest.mark.django_db(transaction=True))


@pytest.fixture
async def token(staff):
    return await database_sync_to_async(token_for)(staff)


@pytest.fixture
async def bystander(server, token):
    page = await Page("bystander", token).open(server.base)
    yield page
    await page.close()


async def assert_still_serving(server, bystander, order) -> None:
    """The well-behaved page is still live and hears an alert raised now; the log is clean."""
    await asyncio.to_thread(post_notify, server.base, order, transaction_id=f"wx-{order.pk}")
    await bystander.wait_for_count(1)
    assert len(bystander.received) == 1
    assert "Traceback" not in server.output()


async def hostile(server, token, *, protocol=True):
    return await websockets.connect(
        f"ws://{server.base}/ws/hostile?token={token}",
        subprotocols=["takeout.v1"] if protocol else None,
        max_size=None,
        max_queue=None,  # read every answer as it comes, so the server's close is never stuck
    )


async def answer(socket) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), 10))


async def assert_open(socket) -> None:
    await socket.send(json.dumps({"action": "ping"}))
    while (frame := await answer(socket)).get("event") != "pong":
        assert frame.get("event") in {"presence", "error"}, frame


async def next_error(socket) -> dict:
    while (frame := await answer(socket)).get("event") != "error":
        assert frame.get("event") == "presence", frame
    return frame


async def test_random_bytes_instead_of_a_handshake(server, bystander, order, figures):
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", server.port)) as raw:
            raw.sendall(os.urandom(4096))
    figures.inputs(20)
    await assert_still_serving(server, bystander, order)


async def test_random_bytes_after_the_handshake(server, token, bystander, order, figures):
    for _ in range(20):
        raw = await asyncio.to_thread(raw_websocket, server.base, f"/ws/noise?token={token}")
        raw.sendall(os.urandom(4096))
        raw.close()
    figures.inputs(20)
    await assert_still_serving(server, bystander, order)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (b"\x00\x01binary", "binary frames are not accepted; send JSON text"),
        ("{not json", "frame is not valid JSON"),
        ("[" * 5000 + "]" * 5000, "frame larger than 4 KiB"),
        ("[" * 2000 + "]" * 2000, "frame is not valid JSON"),
        (json.dumps({"pad": "x" * 1_000_000}), "frame larger than 4 KiB"),
        (json.dumps({"action": "dance"}), "unknown action; expected one of: ack, ping"),
        (json.dumps({"action": "ack", "id": 987654}), "unknown alert 987654"),
        (json.dumps({"action": "ack", "id": "17"}), "ack needs an integer alert id"),
        (json.dumps({"action": "ack", "id": 1.5}), "ack needs an integer alert id"),
        (json.dumps({"action": "ack", "id": True}), "ack needs an integer alert id"),
        (json.dumps({"action": "ack", "id": -1}), "ack needs an integer alert id"),
        (json.dumps({"action": "ack", "id": 2**70}), f"unknown alert {2**70}"),
        (json.dumps({"action": "ack"}), "ack needs an integer alert id"),
        (json.dumps(["action", "ping"]), "unknown action; expected one of: ack, ping"),
        ("null", "unknown action; expected one of: ack, ping"),
    ],
    ids=[
        "binary",
        "broken-json",
        "nested-10k",
        "nested-2k",
        "1mb",
        "unknown-action",
        "ack-unknown-id",
        "ack-string-id",
        "ack-float-id",
        "ack-bool-id",
        "ack-negative-id",
        "ack-huge-id",
        "ack-without-id",
        "json-array",
        "json-null",
    ],
)
async def test_bad_frame_gets_an_error_and_the_socket_stays_open(
    server, token, bystander, order, frame, message, figures
):
    socket = await hostile(server, token)

    await socket.send(frame)

    assert await next_error(socket) == {"event": "error", "message": message}
    await assert_open(socket)
    await socket.close()
    figures.inputs(1)
    await assert_still_serving(server, bystander, order)


async def test_invalid_utf8_text_frame_fails_only_that_connection(
    server, token, bystander, order, figures
):
    socket = await hostile(server, token)

    await socket.send(b"\xff\xfe{\xc3(", text=True)

    with pytest.raises(websockets.ConnectionClosed):
        await assert_open(socket)
    # autobahn fails the connection by dropping TCP (its failByDrop default), hence 1006.
    assert socket.close_code == 1006
    figures.inputs(1)
    await assert_still_serving(server, bystander, order)


async def test_frame_over_daphnes_limit_closes_only_that_connection(
    server, token, bystander, order, figures
):
    socket = await hostile(server, token)

    await socket.send("x" * (1024 * 1024 + 1))

    with pytest.raises(websockets.ConnectionClosed):
        await assert_open(socket)
    figures.inputs(1)
    await assert_still_serving(server, bystander, order)


async def test_client_that_leaves_with_replies_pending_leaves_no_traceback(
    server, token, bystander, order, figures
):
    for _ in range(10):
        socket = await hostile(server, token)
        for _ in range(40):
            await socket.send(json.dumps({"action": "ping"}))
        await socket.close()  # answers are still owed when the close handshake ends
    figures.inputs(400)
    await assert_still_serving(server, bystander, order)


async def test_thousands_of_frames_a_second_close_the_socket_with_4429(
    server, token, bystander, order, figures
):
    socket = await hostile(server, token, protocol=False)
    ping = json.dumps({"action": "ping"})

    with pytest.raises(websockets.ConnectionClosed):
        for _ in range(5000):
            await socket.send(ping)
        await asyncio.wait_for(socket.wait_closed(), 10)
        await assert_open(socket)

    assert socket.close_code == 4429
    figures.inputs(5000)
    await assert_still_serving(server, bystander, order)


async def test_a_huge_http_body_is_a_413_without_a_traceback(server, figures):
    status, _, _ = await asyncio.to_thread(
        http,
        server.base,
        "POST",
        "/api/payments/notify/",
        raw=b'{"address": "' + b"x" * 3_000_000 + b'"}',
    )
    figures.inputs(1)
    assert status == 413
    assert "Traceback" not in server.output()
