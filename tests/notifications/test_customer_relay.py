"""The process-wide customer relay: one group membership per customer served, listeners by id."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from notifications.customerfanout import get_customer_fanout
from notifications.models import CustomerEvent
from notifications.publisher import publish_customer_event
from orders.services import order_confirm
from tests.conftest import WAIT, mark_paid, open_customer_socket, token_for

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """Records the event ids the relay hands over."""

    def __init__(self):
        self.heard: list[int] = []
        self.arrived = asyncio.Event()

    def offer_customer_event(self, event_id, previous_id, text, frame):
        self.heard.append(event_id)
        self.arrived.set()


async def publish(customer_id: int, event_id: int) -> None:
    await database_sync_to_async(publish_customer_event)(
        customer_id, {"event": "order", "id": event_id}, previous_id=event_id - 1
    )


@database_sync_to_async
def confirm(order, staff):
    order_confirm(order_id=order.pk, by=staff)
    return CustomerEvent.objects.latest("pk").pk


async def test_two_streams_of_one_customer_both_hear_the_event(customer, order, staff):
    await database_sync_to_async(mark_paid)(order)
    key = await database_sync_to_async(token_for)(customer)
    phone = await open_customer_socket(token=key, path="/ws/customer/phone", live=True)
    tablet = await open_customer_socket(token=key, path="/ws/customer/tablet", live=True)

    event_id = await confirm(order, staff)

    assert (await phone.receive_json_from(timeout=WAIT))["id"] == event_id
    assert (await tablet.receive_json_from(timeout=WAIT))["id"] == event_id
    await phone.disconnect()
    await tablet.disconnect()


async def test_a_stream_still_hears_after_another_of_its_customer_closes(customer, order, staff):
    await database_sync_to_async(mark_paid)(order)
    key = await database_sync_to_async(token_for)(customer)
    staying = await open_customer_socket(token=key, path="/ws/customer/phone", live=True)
    leaving = await open_customer_socket(token=key, path="/ws/customer/tablet", live=True)
    await leaving.disconnect()

    event_id = await confirm(order, staff)

    assert (await staying.receive_json_from(timeout=WAIT))["id"] == event_id
    await staying.disconnect()


async def test_the_process_leaves_a_customers_group_with_the_last_listener(customer):
    relay = get_customer_fanout()
    first, second = Listener(), Listener()
    await relay.attach(customer.pk, first)
    await relay.attach(customer.pk, second)

    await relay.detach(customer.pk, first)
    joined_with_one_left = customer.pk in relay.joined
    await relay.detach(customer.pk, second)

    assert joined_with_one_left
    assert customer.pk not in relay.joined
    await relay.stop()


async def test_a_listener_that_comes_while_the_last_one_leaves_keeps_hearing(customer):
    relay = get_customer_fanout()
    leaving, coming = Listener(), Listener()
    await relay.attach(customer.pk, leaving)

    await asyncio.gather(relay.detach(customer.pk, leaving), relay.attach(customer.pk, coming))
    await publish(customer.pk, 7)

    await asyncio.wait_for(coming.arrived.wait(), WAIT)
    assert coming.heard == [7]
    assert leaving.heard == []
    await relay.detach(customer.pk, coming)
    await relay.stop()


async def test_an_event_goes_only_to_the_listeners_of_its_customer(customer, other_customer):
    relay = get_customer_fanout()
    mine, theirs = Listener(), Listener()
    await relay.attach(customer.pk, mine)
    await relay.attach(other_customer.pk, theirs)

    await publish(other_customer.pk, 3)
    await publish(customer.pk, 4)

    await asyncio.wait_for(mine.arrived.wait(), WAIT)
    await asyncio.wait_for(theirs.arrived.wait(), WAIT)
    assert (mine.heard, theirs.heard) == ([4], [3])
    await relay.detach(customer.pk, mine)
    await relay.detach(other_customer.pk, theirs)
    await relay.stop()
