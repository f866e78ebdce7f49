"""An admin socket that completes the handshake and then never reads."""

import asyncio

from channels.db import database_sync_to_async

from notifications.models import Alert, AlertKind
from notifications.services import alert_content
from tests.conftest import token_for
from tests.faults.live import (
    FAULT_MARKS,
    Page,
    alert_ids,
    lost_and_repeated,
    make_orders,
    post_notify,
    raw_websocket,
    resident_kib,
    servers,
)

pytestmark = FAULT_MARKS

# About 3 MB of alert frames: several times what the kernel buffers for a stalled socket.
BURST = 20_000


@database_sync_to_async
def store_burst(order, count):
    """Alerts written straight to the store (as a shell would); the reconcile sweep sends them."""
    Alert.objects.bulk_create(
        Alert(
            kind=AlertKind.URGE,
            order=order,
            order_number=order.number,
            content=alert_content(order.number),
        )
        for _ in range(count)
    )


async def test_a_socket_that_stops_reading_costs_the_others_nothing_and_replays_later(
    redis_layer, postgres, staff, customer, dish, figures
):
    token = await database_sync_to_async(token_for)(staff)
    burst_order, live_order = await make_orders(customer, dish, 2)
    with servers(1, ALERT_RECONCILE_SECONDS=1) as (server,):
        fast = [
            await Page("fast-1", token).open(server.base),
            Page("fast-2", token, protocol=False),
        ]
        await fast[1].open(server.base)
        stalled = await asyncio.to_thread(raw_websocket, server.base, f"/ws/slow?token={token}")
        memory_before = resident_kib(server.process.pid)

        await store_burst(burst_order, BURST)
        await asyncio.to_thread(post_notify, server.base, live_order, transaction_id="wx-live")
        expected = await alert_ids()
        for page in fast:
            await page.wait_for(expected, seconds=120)
        memory_growth = resident_kib(server.process.pid) - memory_before
        stalled.close()
        slow = await Page("slow", token).open(server.base, since=0)
        await slow.wait_for(expected, seconds=120)
        pages = [*fast, slow]
        for page in pages:
            await page.close()
    print(f"daphne grew by {memory_growth} KiB while one socket did not read")  # noqa: T201
    lost, repeated = lost_and_repeated(pages, expected)
    figures.alerts(expected=len(expected) * len(pages), lost=lost, repeated=repeated)
    assert len(expected) == BURST + 1
    assert [page.received for page in pages] == [expected] * len(pages)
