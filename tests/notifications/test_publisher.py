"""Publishing from a request's worker thread (notifications.publisher, notifications.serverloop)."""

import asyncio
import threading

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from notifications import groups
from notifications.publisher import ADMIN_EVENT_MESSAGE, publish_admin_event
from notifications.serverloop import remembered
from tests.conftest import WAIT


async def served_once() -> None:
    """One call of a wrapped ASGI application on this loop, as the server makes."""

    async def app(scope, receive, send):
        return None

    await remembered(app)({"type": "http"}, None, None)


async def test_a_worker_threads_publish_does_not_wait_for_a_busy_loop():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(groups.ADMINS, channel)
    await served_once()
    go, published = threading.Event(), threading.Event()

    def request_work():  # as a sync view does, in a worker thread of the serving loop
        go.wait(timeout=5)
        publish_admin_event({"event": "order", "orderId": 7})
        published.set()

    asyncio.ensure_future(sync_to_async(request_work, thread_sensitive=False)())
    await asyncio.sleep(0.1)  # the worker thread is running, waiting for `go`

    # Block the loop: a publish that waited for the loop could not return meanwhile.
    go.set()
    returned = published.wait(timeout=5)

    assert returned
    message = await asyncio.wait_for(layer.receive(channel), WAIT)
    assert message == {"type": ADMIN_EVENT_MESSAGE, "event": {"event": "order", "orderId": 7}}
    await layer.group_discard(groups.ADMINS, channel)


async def test_publishes_handed_over_by_one_thread_arrive_in_order():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(groups.ADMINS, channel)
    await served_once()

    def publish_ten():
        for number in range(10):
            publish_admin_event({"event": "order", "orderId": number})

    await asyncio.to_thread(publish_ten)

    received = [await asyncio.wait_for(layer.receive(channel), WAIT) for _ in range(10)]
    assert [m["event"]["orderId"] for m in received] == list(range(10))
    await layer.group_discard(groups.ADMINS, channel)
