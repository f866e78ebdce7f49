"""Fifty copies of one notify, and fifty urges of one order, all at the same moment."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async

from notifications.models import Alert
from tests.conftest import token_for
from tests.faults.live import FAULT_MARKS, Page, http, lost_and_repeated, post_notify, servers

pytestmark = FAULT_MARKS

COPIES = 50


def all_at_once(call, bases):
    """Run `call(base)` COPIES times at once, alternating between the servers."""
    with ThreadPoolExecutor(COPIES) as pool:
        return list(pool.map(call, [bases[i % len(bases)] for i in range(COPIES)]))


@database_sync_to_async
def alert_kinds():
    return list(Alert.objects.order_by("id").values_list("id", "kind"))


async def test_concurrent_duplicate_notifies_and_urges_raise_one_alert_each(
    redis_layer, postgres, staff, customer, order, figures
):
    staff_token = await database_sync_to_async(token_for)(staff)
    customer_token = await database_sync_to_async(token_for)(customer)
    with servers(2) as (first, second):
        page = await Page("dup-page", staff_token).open(second.base)

        paid = await asyncio.to_thread(
            all_at_once,
            lambda base: post_notify(base, order, transaction_id="wx-dup"),
            [first.base, second.base],
        )
        urged = await asyncio.to_thread(
            all_at_once,
            lambda base: http(
                base, "POST", f"/api/orders/{order.pk}/reminder/", token=customer_token
            )[0],
            [first.base, second.base],
        )

        alerts = await alert_kinds()
        await page.wait_for([alert_id for alert_id, _ in alerts])
        await asyncio.sleep(1)  # a duplicate would arrive right behind
        await page.close()
    figures.inputs(2 * COPIES)
    lost, repeated = lost_and_repeated([page], [alert_id for alert_id, _ in alerts])
    figures.alerts(expected=len(alerts), lost=lost, repeated=repeated)
    assert paid == [200] * COPIES
    assert sorted(urged) == [201] + [429] * (COPIES - 1)
    assert [kind for _, kind in alerts] == [1, 2]
    assert page.received == [alert_id for alert_id, _ in alerts]
