"""The load generator's WebSocket client (bench/rawws.py) against a real server library."""

import asyncio

import pytest
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from bench import rawws


async def open_pair(handler, process_request=None):
    """A `websockets` server on a free port and a rawws client connected to it."""
    server = await serve(handler, "127.0.0.1", 0, process_request=process_request)
    port = server.sockets[0].getsockname()[1]
    received: list[bytes] = []
    return server, port, received


@pytest.mark.parametrize("size", [5, 125, 126, 300, 65535, 70000])
async def test_text_frames_of_every_length_arrive_whole(size):
    text = "x" * size

    async def handler(ws):
        await ws.send(text)
        await ws.send("after")
        await asyncio.sleep(0.2)

    server, port, received = await open_pair(handler)
    async with server:
        await rawws.connect(f"ws://127.0.0.1:{port}/", received.append)
        for _ in range(50):
            if len(received) == 2:
                break
            await asyncio.sleep(0.05)

    assert received == [text.encode(), b"after"]


async def test_a_ping_from_the_server_is_answered():
    answered = asyncio.Event()

    async def handler(ws):
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        answered.set()

    server, port, received = await open_pair(handler)
    async with server:
        await rawws.connect(f"ws://127.0.0.1:{port}/", received.append)
        await asyncio.wait_for(answered.wait(), 5)


async def test_the_servers_close_code_is_recorded():
    async def handler(ws):
        await ws.close(code=4401, reason="log in")

    server, port, received = await open_pair(handler)
    async with server:
        client = await rawws.connect(f"ws://127.0.0.1:{port}/", received.append)
        code = await asyncio.wait_for(client.closed, 5)

    assert code == 4401


async def test_a_refused_handshake_reports_the_http_status():
    def refuse(connection, request):
        return Response(403, "Forbidden", Headers(), b"no")

    async def handler(ws):
        await ws.close()

    server, port, received = await open_pair(handler, process_request=refuse)
    async with server:
        with pytest.raises(rawws.HandshakeFailed) as refused:
            await rawws.connect(f"ws://127.0.0.1:{port}/", received.append)

    assert refused.value.status == 403
