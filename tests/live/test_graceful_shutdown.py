"""A daphne process stopped with SIGTERM: its pages reconnect through nginx and replay."""

import asyncio
import json
import signal

import pytest
import websockets
from channels.db import database_sync_to_async

from orders.services import order_create
from tests.conftest import require, token_for
from tests.live.nginx import nginx, nginx_available
from tests.live.servers import daphne_process, post_notify

pytestmark = [
    pytest.mark.live,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.topology,
    pytest.mark.django_db(transaction=True),
]

WAIT = 10
RECONNECT_SECONDS = 1.0


class ReconnectingPage:
    """An admin page as the dashboard keeps one: reconnects with `since` = the last alert seen."""

    def __init__(self, url: str, origin: str):
        self.url = url
        self.origin = origin
        self.alerts: list[dict] = []
        self.close_codes: list[int | None] = []
        self.live = asyncio.Event()
        self.arrived = asyncio.Event()

    async def run(self) -> None:
        while True:
            since = f"&since={self.alerts[-1]['id']}" if self.alerts else ""
            try:
                async with websockets.connect(self.url + since, origin=self.origin) as socket:
                    await self.listen(socket)
            except (OSError, websockets.InvalidHandshake):
                pass  # the server is not answering yet: try again, like a browser would
            self.live.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def listen(self, socket) -> None:
        await socket.send(json.dumps({"action": "ping"}))
        try:
            async for text in socket:
                frame = json.loads(text)
                if frame.get("event") == "pong":
                    self.live.set()
                elif "type" in frame:
                    self.alerts.append(frame)
                    self.arrived.set()
        except websockets.ConnectionClosed:
            pass
        self.close_codes.append(socket.close_code)

    async def wait_for_alerts(self, count: int) -> list[dict]:
        async with asyncio.timeout(WAIT):
            while len(self.alerts) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.alerts


def wsconnects(log, path: str) -> int:
    return log.read_text().count(f'"WSCONNECT {path}"')


async def test_pages_of_a_stopped_process_reconnect_to_the_other_and_replay(
    tmp_path, staff, customer, dish, order
):
    require(nginx_available(), "nginx is not installed")
    token = await database_sync_to_async(token_for)(staff)
    second_order = await database_sync_to_async(order_create)(
        customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="2 Road"
    )
    logs = [tmp_path / "first-access.log", tmp_path / "second-access.log"]
    path = "/ws/moving-page"
    with (
        daphne_process("--proxy-headers", "--access-log", str(logs[0])) as (first, first_process),
        daphne_process("--proxy-headers", "--access-log", str(logs[1])) as (second, second_proc),
        nginx([first, second], tmp_path, tmp_path) as proxy,
    ):
        page = ReconnectingPage(f"ws://{proxy}{path}?token={token}", f"http://{proxy}")
        runner = asyncio.create_task(page.run())
        await asyncio.wait_for(page.live.wait(), WAIT)
        held_by_first = wsconnects(logs[0], path) == 1
        holder, survivor = (first_process, second) if held_by_first else (second_proc, first)
        await asyncio.to_thread(post_notify, survivor, order, transaction_id="wx-before")
        await page.wait_for_alerts(1)

        # daphne 4 drops its sockets on SIGTERM without a close frame: the page sees 1006
        # (django/daphne#177, connection draining, is open).
        holder.send_signal(signal.SIGTERM)
        await asyncio.to_thread(holder.wait, WAIT)
        # Raised while the page is between sockets: it must come back through the replay.
        await asyncio.to_thread(post_notify, survivor, second_order, transaction_id="wx-between")
        alerts = await page.wait_for_alerts(2)
        runner.cancel()

    assert [alert["orderNumber"] for alert in alerts] == [order.number, second_order.number]
    assert alerts[0]["id"] < alerts[1]["id"]
    assert wsconnects(logs[1 if held_by_first else 0], path) == 1
