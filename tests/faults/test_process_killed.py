"""A server process is killed (SIGKILL) with admin pages connected."""

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
    servers,
)

pytestmark = FAULT_MARKS


async def test_pages_of_a_killed_process_reconnect_elsewhere_and_replay_what_they_missed(
    redis_layer, postgres, staff, customer, dish, figures
):
    token = await database_sync_to_async(token_for)(staff)
    orders = await make_orders(customer, dish, 4)
    with servers(2) as (doomed, survivor):
        orphans = [Page("kill-a1", token), Page("kill-a2", token, protocol=False)]
        for page in orphans:
            await page.open(doomed.base)
        bystander = await Page("kill-b1", token).open(survivor.base)
        await asyncio.to_thread(post_notify, survivor.base, orders[0], transaction_id="wx-k0")
        first = await alert_ids()
        for page in [*orphans, bystander]:
            await page.wait_for(first)

        doomed.kill()
        for page in orphans:
            await asyncio.wait_for(asyncio.shield(page.closed), 10)
        for order in orders[1:3]:  # raised while the orphans are away
            await asyncio.to_thread(
                post_notify, survivor.base, order, transaction_id=f"wx-{order.pk}"
            )
        for page in orphans:
            await page.open(survivor.base, since=page.last_id)
        await asyncio.to_thread(post_notify, survivor.base, orders[3], transaction_id="wx-k3")

        expected = await alert_ids()
        pages = [*orphans, bystander]
        for page in pages:
            await page.wait_for(expected)
            await page.close()
    lost, repeated = lost_and_repeated(pages, expected)
    figures.alerts(expected=len(expected) * len(pages), lost=lost, repeated=repeated)
    assert len(expected) == 4
    assert [page.received for page in pages] == [expected] * len(pages)
