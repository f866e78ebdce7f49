"""The customer stream (contract section 2) on the real ASGI application."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from notifications import services as notification_services
from notifications.models import CustomerEvent
from orders.models import Order
from orders.services import order_confirm, order_create
from tests.conftest import mark_paid, next_event, open_customer_socket, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def customer_token(user):
    return token_for(user)


@database_sync_to_async
def pay_sync(order):
    return mark_paid(order)


@database_sync_to_async
def confirm(order, staff):
    order_confirm(order_id=order.pk, by=staff)
    return CustomerEvent.objects.latest("pk")


@database_sync_to_async
def latest_event():
    return CustomerEvent.objects.latest("pk")


async def test_customer_hears_the_status_change_of_their_order(customer, order, staff):
    await pay_sync(order)
    socket = await open_customer_socket(token=await customer_token(customer), live=True)

    event = await confirm(order, staff)

    assert await socket.receive_json_from(timeout=5) == {
        "event": "order",
        "id": event.pk,
        "orderId": order.pk,
        "status": "confirmed",
        "content": "商家已接单，正在备餐",
        "reason": "",
        "createdAt": event.created_at.isoformat(),
    }
    await socket.disconnect()


async def test_authorization_header_authenticates_the_customer(customer, order):
    key = await customer_token(customer)
    socket = await open_customer_socket(
        headers=[(b"authorization", f"Token {key}".encode())], live=True
    )

    await pay_sync(order)

    assert (await socket.receive_json_from(timeout=5))["status"] == "to_be_confirmed"
    await socket.disconnect()


async def test_customer_never_hears_another_customers_orders(
    customer, other_customer, dish, order, staff
):
    socket = await open_customer_socket(token=await customer_token(customer), live=True)
    other_order = await database_sync_to_async(order_create)(
        customer=other_customer, items=[{"dish": dish.pk, "quantity": 1}], address="x"
    )

    await pay_sync(other_order)
    await confirm(other_order, staff)
    await pay_sync(order)

    # Only the customer's own event arrives, although the other's were raised first.
    assert (await socket.receive_json_from(timeout=5))["orderId"] == order.pk
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_since_replays_the_missed_events_then_live_ones_once(customer, order, staff):
    await pay_sync(order)
    paid = await latest_event()
    socket = await open_customer_socket(token=await customer_token(customer), since=0)

    replayed = await socket.receive_json_from(timeout=5)
    confirmed = await confirm(order, staff)
    live = await socket.receive_json_from(timeout=5)

    assert (replayed["id"], live["id"]) == (paid.pk, confirmed.pk)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_since_skips_what_the_client_has(customer, order, staff):
    await pay_sync(order)
    paid = await latest_event()
    confirmed = await confirm(order, staff)

    socket = await open_customer_socket(token=await customer_token(customer), since=paid.pk)

    assert (await socket.receive_json_from(timeout=5))["id"] == confirmed.pk
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_without_since_only_events_after_opening_arrive(customer, order, staff):
    await pay_sync(order)
    socket = await open_customer_socket(token=await customer_token(customer), live=True)

    confirmed = await confirm(order, staff)

    assert (await socket.receive_json_from(timeout=5))["id"] == confirmed.pk
    await socket.disconnect()


async def test_event_whose_publish_was_lost_arrives_before_the_next_one(customer, order, staff):
    await pay_sync(order)
    socket = await open_customer_socket(token=await customer_token(customer), live=True)

    @database_sync_to_async
    def store_without_publishing():
        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(status="confirmed")
            return CustomerEvent.objects.create(
                customer=customer, order=order, status="confirmed", content="stored only"
            )

    lost = await store_without_publishing()

    @database_sync_to_async
    def deliver():
        from orders.services import order_start_delivery

        order_start_delivery(order_id=order.pk, by=staff)
        return CustomerEvent.objects.latest("pk")

    delivering = await deliver()

    assert (await socket.receive_json_from(timeout=5))["id"] == lost.pk
    assert (await socket.receive_json_from(timeout=5))["id"] == delivering.pk
    await socket.disconnect()


async def test_ping_delivers_a_stored_event_the_channel_layer_missed(customer, order, settings):
    settings.ALERT_RECONCILE_SECONDS = 0
    socket = await open_customer_socket(token=await customer_token(customer), live=True)

    @database_sync_to_async
    def store_without_publishing():
        with transaction.atomic():
            notification_services._serialize_customer_event_inserts(customer.pk)
            return CustomerEvent.objects.create(
                customer=customer, order=order, status="pending_payment", content="stored only"
            )

    stored = await store_without_publishing()
    await socket.send_json_to({"action": "ping"})

    assert (await socket.receive_json_from(timeout=5))["id"] == stored.pk
    assert await socket.receive_json_from(timeout=5) == {"event": "pong"}
    await socket.disconnect()


async def test_anonymous_customer_socket_is_closed_with_4401(db):
    socket = await open_customer_socket()
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_unknown_token_is_closed_with_4401(db):
    socket = await open_customer_socket(token="not-a-token")
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_malformed_since_is_an_error_then_4400(customer):
    socket = await open_customer_socket(token=await customer_token(customer), since="x1")

    assert (await socket.receive_json_from(timeout=5))["event"] == "error"
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4400}


async def test_bad_frame_gets_an_error_and_the_socket_stays_open(customer):
    socket = await open_customer_socket(token=await customer_token(customer), live=True)

    await socket.send_to(text_data="not json")
    error = await next_event(socket, "error")
    await socket.send_json_to({"action": "ping"})

    assert error == {"event": "error", "message": "frame is not valid JSON"}
    assert await next_event(socket, "pong") == {"event": "pong"}
    await socket.disconnect()


async def test_customer_actions_are_limited_to_ping(customer):
    socket = await open_customer_socket(token=await customer_token(customer), live=True)

    await socket.send_json_to({"action": "ack", "id": 1})

    assert await next_event(socket, "error") == {
        "event": "error",
        "message": "unknown action; expected one of: ping",
    }
    await socket.disconnect()
