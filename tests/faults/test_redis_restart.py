"""Redis stops while notifies keep arriving, then starts again on the same port."""

import asyncio

from channels.db import database_sync_to_async

from tests.conftest import token_for
from tests.faults.live import (
    FAULT_MARKS,
    Page,
    alert_ids,
    lost_and_repeated,
    make_orders,
    post_notify,
)
from tests.live.servers import daphne

pytestmark = FAULT_MARKS

ORDERS_WHILE_DOWN = 6


async def open_pages(token, first, second):
    pages = [
        Page("redis-a1", token),
        Page("redis-a2", token, protocol=False),
        Page("redis-b1", token),
        Page("redis-b2", token, protocol=False),
    ]
    for page, base in zip(pages, [first, first, second, second], strict=True):
        await page.open(base)
    return pages


async def notify_all(bases, orders):
    """Notify each order once, alternating between the servers; the HTTP statuses."""
    return [
        await asyncio.to_thread(post_notify, bases[i % 2], order, transaction_id=f"wx-{order.pk}")
        for i, order in enumerate(orders)
    ]


async def test_alerts_raised_while_redis_is_down_reach_every_page_once(
    throwaway_redis, postgres, staff, customer, dish, figures
):
    token = await database_sync_to_async(token_for)(staff)
    orders = await make_orders(customer, dish, ORDERS_WHILE_DOWN)
    env = {"REDIS_URL": throwaway_redis.url, "ALERT_RECONCILE_SECONDS": 1}
    with daphne(**env) as first, daphne(**env) as second:
        pages = await open_pages(token, first, second)
        throwaway_redis.stop()

        statuses = await notify_all([first, second], orders)
        throwaway_redis.start()

        expected = await alert_ids()
        for page in pages:
            await page.wait_for(expected)
        for page in pages:
            await page.close()
    lost, repeated = lost_and_repeated(pages, expected)
    figures.alerts(expected=len(expected) * len(pages), lost=lost, repeated=repeated)
    assert statuses == [200] * ORDERS_WHILE_DOWN
    assert len(expected) == ORDERS_WHILE_DOWN
    assert [page.received for page in pages] == [expected] * len(pages)


async def test_channel_layer_resubscribes_after_redis_restarts(
    throwaway_redis, postgres, staff, customer, dish, figures
):
    """With the sweep out of the way, only a resubscribed layer can deliver the new alert."""
    token = await database_sync_to_async(token_for)(staff)
    orders = await make_orders(customer, dish, ORDERS_WHILE_DOWN + 1)
    env = {"REDIS_URL": throwaway_redis.url, "ALERT_RECONCILE_SECONDS": 3600}
    with daphne(**env) as first, daphne(**env) as second:
        pages = await open_pages(token, first, second)
        throwaway_redis.stop()
        statuses = await notify_all([first, second], orders[:-1])
        throwaway_redis.start()
        # redis-py reconnects the subscriber about once a second; give it time to resubscribe.
        await asyncio.sleep(3)

        statuses += await notify_all([first, second], orders[-1:])

        expected = await alert_ids()
        for page in pages:
            await page.wait_for(expected)
        for page in pages:
            await page.close()
    lost, repeated = lost_and_repeated(pages, expected)
    figures.alerts(expected=len(expected) * len(pages), lost=lost, repeated=repeated)
    assert statuses == [200] * (ORDERS_WHILE_DOWN + 1)
    assert [page.received for page in pages] == [expected] * len(pages)
