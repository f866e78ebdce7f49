"""The admin alert stream (contract section 1) on the real ASGI application."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.utils import timezone

from notifications.models import Alert
from notifications.services import alert_acknowledge
from orders.models import Order
from orders.services import order_create, order_remind
from tests.conftest import WAIT, next_alert, next_event, open_admin_socket, pay, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def alert_frame(alert: Alert) -> dict:
    return {
        "type": alert.kind,
        "orderId": alert.order_id,
        "content": f"订单号：{alert.order_number}",
        "id": alert.pk,
        "orderNumber": alert.order_number,
        "createdAt": timezone.localtime(alert.created_at).isoformat(),
        "acknowledgedBy": None,
    }


@database_sync_to_async
def pay_async(order, **kwargs):
    return pay(order, **kwargs)


async def test_signed_notify_reaches_every_admin_socket_once(staff_token, order):
    first = await open_admin_socket(token=staff_token, path="/ws/page-a", live=True)
    second = await open_admin_socket(
        token=staff_token, path="/ws/page-b", protocol=False, live=True
    )

    response = await pay_async(order)

    assert response.status_code == 200
    alert = await database_sync_to_async(Alert.objects.get)()
    assert await next_alert(first) == alert_frame(alert)
    assert await second.receive_json_from(timeout=WAIT) == alert_frame(alert)
    assert await second.receive_nothing(timeout=0.5)
    await first.disconnect()
    await second.disconnect()


async def test_repeated_notify_raises_no_second_alert(staff_token, order):
    socket = await open_admin_socket(token=staff_token, protocol=False, live=True)
    await pay_async(order)
    await socket.receive_json_from(timeout=WAIT)

    repeat = await pay_async(order)

    assert repeat.status_code == 200
    assert repeat.json() == {"code": "SUCCESS"}
    assert await socket.receive_nothing(timeout=1)
    assert await database_sync_to_async(Alert.objects.count)() == 1
    await socket.disconnect()


async def test_twenty_concurrent_duplicate_notifies_raise_one_alert(staff_token, order):
    socket = await open_admin_socket(token=staff_token, protocol=False, live=True)

    def pay_in_thread(_):
        try:
            return pay(order).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = await asyncio.get_running_loop().run_in_executor(
            None, lambda: list(pool.map(pay_in_thread, range(20)))
        )

    assert statuses == [200] * 20
    assert (await socket.receive_json_from(timeout=WAIT))["type"] == 1
    assert await socket.receive_nothing(timeout=1)
    assert await database_sync_to_async(Alert.objects.count)() == 1
    await socket.disconnect()


async def test_reminder_reaches_admin_socket_as_type_2(staff_token, order, customer):
    await pay_async(order)
    socket = await open_admin_socket(token=staff_token, protocol=False, live=True)

    alert = await database_sync_to_async(order_remind)(order_id=order.pk, customer=customer)

    assert await socket.receive_json_from(timeout=WAIT) == alert_frame(alert)
    await socket.disconnect()


async def test_anonymous_socket_is_closed_with_4401(db):
    socket = await open_admin_socket()
    assert await socket.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4401}


async def test_unknown_token_is_closed_with_4401(db):
    socket = await open_admin_socket(token="not-a-token")
    assert await socket.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4401}


async def test_customer_socket_is_closed_with_4403(customer):
    socket = await open_admin_socket(token=await database_sync_to_async(token_for)(customer))
    assert await socket.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4403}


async def test_foreign_origin_is_refused_at_the_handshake(staff_token):
    from channels.testing import WebsocketCommunicator

    from takeout.asgi import application

    socket = WebsocketCommunicator(
        application,
        f"/ws/page-1?token={staff_token}",
        headers=[(b"origin", b"https://evil.example")],
    )
    connected, code = await socket.connect(timeout=WAIT)
    assert (connected, code) == (False, 1000)


async def test_allowed_origin_is_accepted(staff_token):
    socket = await open_admin_socket(
        token=staff_token, headers=[(b"origin", b"http://testserver")], protocol=False
    )
    await socket.send_json_to({"action": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"event": "pong"}
    await socket.disconnect()


async def test_session_cookie_authenticates_staff(staff, order):
    from django.test import Client

    @database_sync_to_async
    def session_cookie():
        client = Client()
        client.force_login(staff)
        return client.cookies["sessionid"].value

    cookie = await session_cookie()
    socket = await open_admin_socket(
        headers=[(b"cookie", f"sessionid={cookie}".encode()), (b"origin", b"http://testserver")],
        protocol=False,
        live=True,
    )
    await pay_async(order)
    assert (await socket.receive_json_from(timeout=WAIT))["type"] == 1
    await socket.disconnect()


async def test_since_replays_exactly_the_missed_alerts_in_order(staff_token, customer, dish):
    @database_sync_to_async
    def paid_orders(count):
        orders = []
        for _ in range(count):
            order = order_create(
                customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="x"
            )
            pay(order, transaction_id=f"wx-{order.pk}")
            orders.append(order)
        return list(Alert.objects.order_by("id"))

    alerts = await paid_orders(4)
    socket = await open_admin_socket(token=staff_token, since=alerts[1].pk, protocol=False)

    replayed = [await socket.receive_json_from(timeout=WAIT) for _ in range(2)]

    assert replayed == [alert_frame(alerts[2]), alert_frame(alerts[3])]
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_live_alert_after_replay_arrives_once(staff_token, order, customer, dish):
    await pay_async(order)
    first = await database_sync_to_async(Alert.objects.get)()
    socket = await open_admin_socket(token=staff_token, since=0, protocol=False)
    assert await socket.receive_json_from(timeout=WAIT) == alert_frame(first)

    second_order = await database_sync_to_async(order_create)(
        customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="x"
    )
    await pay_async(second_order, transaction_id="wx-2")

    second = await database_sync_to_async(Alert.objects.latest)("id")
    assert await socket.receive_json_from(timeout=WAIT) == alert_frame(second)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_page_without_since_gets_only_alerts_raised_after_it_opened(staff_token, order):
    await pay_async(order)
    socket = await open_admin_socket(token=staff_token, protocol=False)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_malformed_since_is_an_error_then_close(staff_token):
    socket = await open_admin_socket(token=staff_token, since="abc", protocol=False)
    assert await socket.receive_json_from(timeout=WAIT) == {
        "event": "error",
        "message": "since must be a whole number >= 0",
    }
    assert await socket.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4400}


async def test_ack_is_stored_and_broadcast_to_protocol_pages(staff_token, staff, order):
    await pay_async(order)
    alert = await database_sync_to_async(Alert.objects.get)()
    acking = await open_admin_socket(token=staff_token, path="/ws/a")
    watching = await open_admin_socket(token=staff_token, path="/ws/b")
    seeds_dialect = await open_admin_socket(token=staff_token, path="/ws/c", protocol=False)

    await acking.send_json_to({"action": "ack", "id": alert.pk})

    expected = {"event": "ack", "id": alert.pk, "by": "clerk"}
    assert await next_event(acking, "ack") == expected
    assert await next_event(watching, "ack") == expected
    assert await seeds_dialect.receive_nothing(timeout=0.5)
    await database_sync_to_async(alert.refresh_from_db)()
    assert alert.acknowledged_by_id == staff.pk
    for socket in (acking, watching, seeds_dialect):
        await socket.disconnect()


async def test_protocol_page_hears_order_status_changes(staff_token, order):
    socket = await open_admin_socket(token=staff_token, live=True)
    await pay_async(order)
    assert await next_event(socket, "order") == {
        "event": "order",
        "orderId": order.pk,
        "status": "to_be_confirmed",
    }
    await socket.disconnect()


async def test_presence_counts_open_pages(staff_token, settings):
    settings.PRESENCE_INTERVAL_SECONDS = 0.05
    first = await open_admin_socket(token=staff_token, path="/ws/a")
    assert await next_event(first, "presence") == {"event": "presence", "online": 1}

    second = await open_admin_socket(token=staff_token, path="/ws/b")

    assert await next_event(first, "presence") == {"event": "presence", "online": 2}
    await second.disconnect()
    assert await next_event(first, "presence") == {"event": "presence", "online": 1}
    await first.disconnect()


async def test_ping_answers_pong(staff_token):
    socket = await open_admin_socket(token=staff_token, protocol=False)
    await socket.send_json_to({"action": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"event": "pong"}
    await socket.disconnect()


BAD_FRAMES = {
    "not JSON": ("text", "hello"),
    "JSON but not an object": ("text", "[1, 2]"),
    "unknown action": ("text", json.dumps({"action": "dance"})),
    "missing action": ("text", json.dumps({"id": 3})),
    "ack without id": ("text", json.dumps({"action": "ack"})),
    "ack with a string id": ("text", json.dumps({"action": "ack", "id": "7"})),
    "ack with a boolean id": ("text", json.dumps({"action": "ack", "id": True})),
    "ack of an unknown alert": ("text", json.dumps({"action": "ack", "id": 999999})),
    "ack of a huge id": ("text", json.dumps({"action": "ack", "id": 10**30})),
    "over 4 KiB": ("text", json.dumps({"action": "ping", "pad": "x" * 5000})),
    "deeply nested": ("text", "[" * 3000 + "]" * 3000),
    "binary": ("bytes", b"\x00\xff\x10"),
}


@pytest.mark.parametrize("kind, frame", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
async def test_bad_frame_gets_an_error_and_the_socket_stays_open(staff_token, kind, frame):
    socket = await open_admin_socket(token=staff_token, protocol=False)

    if kind == "text":
        await socket.send_to(text_data=frame)
    else:
        await socket.send_to(bytes_data=frame)

    answer = await socket.receive_json_from(timeout=WAIT)
    assert answer["event"] == "error"
    assert isinstance(answer["message"], str) and answer["message"]
    await socket.send_json_to({"action": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"event": "pong"}
    await socket.disconnect()


async def test_flooding_socket_is_closed_with_4429(staff_token, settings):
    settings.WS_FRAME_RATE, settings.WS_FRAME_BURST, settings.WS_FRAME_PATIENCE = 1, 5, 20
    socket = await open_admin_socket(token=staff_token, protocol=False)
    for _ in range(100):
        await socket.send_json_to({"action": "ping"})
    frames = []
    while True:
        output = await socket.receive_output(timeout=WAIT)
        if output["type"] == "websocket.close":
            break
        frames.append(json.loads(output["text"]))
    assert output == {"type": "websocket.close", "code": 4429}
    assert {"event": "error", "message": "too many frames; slow down"} in frames


async def test_logging_out_closes_the_sessions_sockets(staff):
    from django.test import Client

    client = Client()

    @database_sync_to_async
    def login():
        client.force_login(staff)
        return client.cookies["sessionid"].value

    cookie = await login()
    socket = await open_admin_socket(
        headers=[(b"cookie", f"sessionid={cookie}".encode())], protocol=False
    )
    await socket.send_json_to({"action": "ping"})
    await socket.receive_json_from(timeout=WAIT)

    await database_sync_to_async(client.post)("/accounts/logout/")

    assert await socket.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4401}


async def test_stored_alert_that_missed_the_channel_layer_is_delivered_by_the_sweep(
    staff_token, order, settings
):
    settings.ALERT_RECONCILE_SECONDS = 0.2
    socket = await open_admin_socket(token=staff_token, protocol=False, live=True)

    @database_sync_to_async
    def store_without_publishing():
        from django.db import transaction

        from notifications import services

        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(status="to_be_confirmed")
            services._serialize_alert_inserts()
            return Alert.objects.create(
                kind=1, order=order, order_number=order.number, content=f"订单号：{order.number}"
            )

    alert = await store_without_publishing()

    assert await socket.receive_json_from(timeout=WAIT) == alert_frame(alert)
    await socket.disconnect()


async def test_unknown_websocket_path_is_refused(staff_token):
    from channels.testing import WebsocketCommunicator

    from takeout.asgi import application

    socket = WebsocketCommunicator(application, f"/ws/not/a/page?token={staff_token}")
    connected, _ = await socket.connect(timeout=WAIT)
    assert not connected


async def test_client_id_longer_than_64_characters_is_refused(staff_token):
    from channels.testing import WebsocketCommunicator

    from takeout.asgi import application

    socket = WebsocketCommunicator(application, f"/ws/{'x' * 65}?token={staff_token}")
    connected, _ = await socket.connect(timeout=WAIT)
    assert not connected


async def test_replay_tells_which_alerts_were_acknowledged_meanwhile(staff_token, staff, order):
    await pay_async(order)
    alert = await database_sync_to_async(Alert.objects.get)()
    await database_sync_to_async(alert_acknowledge)(alert_id=alert.pk, user=staff)

    socket = await open_admin_socket(token=staff_token, since=0, protocol=False)

    frame = await socket.receive_json_from(timeout=WAIT)
    assert (frame["id"], frame["acknowledgedBy"]) == (alert.pk, "clerk")
    await socket.disconnect()
