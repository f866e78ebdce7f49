"""The long-poll fallback: GET /api/events/?since=N&timeout=S."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient

from notifications.models import CustomerEvent
from orders.services import order_confirm, order_create
from tests.conftest import mark_paid, token_for

pytestmark = pytest.mark.django_db(transaction=True)


class Poller:
    """An AsyncClient that sends the customer's token on every request."""

    def __init__(self, key: str):
        self.key = key
        self.client = AsyncClient()

    def get(self, path: str):
        return self.client.get(path, headers={"Authorization": f"Token {self.key}"})


async def client_for(user) -> Poller:
    return Poller(await database_sync_to_async(token_for)(user))


@database_sync_to_async
def pay_sync(order):
    return mark_paid(order)


@database_sync_to_async
def payloads():
    return [event.as_payload() for event in CustomerEvent.objects.order_by("pk")]


async def test_answers_at_once_with_the_events_after_since(customer, order, staff):
    await pay_sync(order)
    await database_sync_to_async(order_confirm)(order_id=order.pk, by=staff)
    client = await client_for(customer)

    response = await client.get("/api/events/?since=0&timeout=25")

    events = await payloads()
    assert response.status_code == 200
    assert response.json() == {"events": events, "cursor": events[-1]["id"]}


async def test_events_and_cursor_are_the_sockets(customer, order, staff):
    """The long-poll and the socket replay the same frames from the same cursor."""
    from tests.conftest import open_customer_socket

    await pay_sync(order)
    await database_sync_to_async(order_confirm)(order_id=order.pk, by=staff)
    client = await client_for(customer)
    socket = await open_customer_socket(
        token=await database_sync_to_async(token_for)(customer), since=0
    )

    polled = (await client.get("/api/events/?since=0&timeout=0")).json()["events"]

    assert [await socket.receive_json_from(timeout=5) for _ in polled] == polled
    await socket.disconnect()


async def test_waits_for_an_event_and_answers_with_it(customer, order):
    client = await client_for(customer)

    poll = asyncio.ensure_future(client.get("/api/events/?since=0&timeout=20"))
    await pay_sync(order)
    response = await asyncio.wait_for(poll, 25)

    [event] = await payloads()
    assert response.json() == {"events": [event], "cursor": event["id"]}


async def test_without_since_the_cursor_starts_at_the_latest_event(customer, order):
    await pay_sync(order)
    client = await client_for(customer)

    response = await client.get("/api/events/?timeout=0")

    [event] = await payloads()
    assert response.json() == {"events": [], "cursor": event["id"]}


async def test_another_customers_event_does_not_answer_the_poll(
    customer, other_customer, dish, order
):
    other_order = await database_sync_to_async(order_create)(
        customer=other_customer, items=[{"dish": dish.pk, "quantity": 1}], address="x"
    )
    client = await client_for(customer)

    poll = asyncio.ensure_future(client.get("/api/events/?since=0&timeout=1"))
    await pay_sync(other_order)
    response = await asyncio.wait_for(poll, 10)

    assert response.json() == {"events": [], "cursor": 0}


async def test_zero_timeout_answers_at_once_with_no_events(customer):
    client = await client_for(customer)

    response = await client.get("/api/events/?since=5&timeout=0")

    assert (response.status_code, response.json()) == (200, {"events": [], "cursor": 5})


@pytest.mark.parametrize(
    "query",
    ["since=-1", "since=abc", "since=1" + "0" * 18, "timeout=31", "timeout=-1", "timeout=1.5"],
)
async def test_malformed_since_or_timeout_is_400(customer, query):
    client = await client_for(customer)

    response = await client.get(f"/api/events/?{query}")

    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


async def test_unauthenticated_poll_is_401(db):
    response = await AsyncClient().get("/api/events/?timeout=0")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


async def test_unknown_token_is_401(db):
    response = await Poller("nope").get("/api/events/")

    assert response.status_code == 401


async def test_poll_is_throttled_on_the_shared_cache(customer, monkeypatch):
    from takeout.throttling import UserThrottle

    # DRF reads the rates when the class is defined; set this class's rate directly.
    monkeypatch.setattr(UserThrottle, "rate", "2/minute", raising=False)
    client = await client_for(customer)

    statuses = [(await client.get("/api/events/?timeout=0")).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
