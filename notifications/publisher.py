"""The one module that sends to the channel layer.

Everything here is best effort by design: the database is the record, so a failed publish
(Redis down) is logged and the alert still reaches pages through replay and the fan-out's
reconcile sweep.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import groups
from .serverloop import serving_loop_elsewhere

logger = logging.getLogger(__name__)

ALERT_MESSAGE = "alert.send"
ADMIN_EVENT_MESSAGE = "admin.event"
SESSION_ENDED_MESSAGE = "session.ended"
CUSTOMER_EVENT_MESSAGE = "customer.event"


_in_flight: set[asyncio.Task] = set()


def _group_send(group: str, message: dict) -> bool:
    """Publish; False when it failed here (a publish handed to the serving loop counts as sent).

    From a request's worker thread the publish is handed to the serving loop without waiting
    for it (notifications.serverloop); publishes handed over by one thread keep their order,
    since the loop starts them in turn and the layer sends them in turn.
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    loop = serving_loop_elsewhere()
    if loop is not None:
        loop.call_soon_threadsafe(_start_publish, layer, group, message)
        return True
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001 - any transport failure must not fail the request
        logger.warning("publish to %s failed; pages will catch up from the store", group)
        return False
    return True


def _start_publish(layer, group: str, message: dict) -> None:
    task = asyncio.ensure_future(_publish_logged(layer, group, message))
    _in_flight.add(task)
    task.add_done_callback(_in_flight.discard)


async def _publish_logged(layer, group: str, message: dict) -> None:
    try:
        await layer.group_send(group, message)
    except Exception:  # noqa: BLE001 - the store is the record; pages catch up from it
        logger.warning("publish to %s failed; pages will catch up from the store", group)


def publish_alert(payload: dict) -> bool:
    """Send a stored alert to every admin page (fast path)."""
    return _group_send(groups.ADMINS, {"type": ALERT_MESSAGE, "alert": payload})


def publish_admin_event(event: dict) -> bool:
    """Send an `event` frame (ack, order, ...) to every admin page that speaks takeout.v1."""
    return _group_send(groups.ADMINS, {"type": ADMIN_EVENT_MESSAGE, "event": event})


def publish_session_ended(session_key: str) -> bool:
    """Tell every process to close the admin sockets opened with this session."""
    return _group_send(groups.ADMINS, {"type": SESSION_ENDED_MESSAGE, "session_key": session_key})


def publish_customer_event(customer_id: int, event: dict, *, previous_id: int) -> bool:
    """Send a stored customer event to that customer's streams and long-polls.

    `previous_id` is the customer's event before this one: a listener whose cursor is below it
    missed something and reads the store instead of sending this frame straight away.
    """
    message = {
        "type": CUSTOMER_EVENT_MESSAGE,
        "customer": customer_id,
        "event": event,
        "previous_id": previous_id,
    }
    return _group_send(groups.customer_group(customer_id), message)


def alert_publish_on_commit(payload: dict) -> None:
    """Publish an alert once the transaction that stored it commits."""
    transaction.on_commit(lambda: publish_alert(payload))


def admin_event_publish_on_commit(event: dict) -> None:
    """Publish an admin event once the surrounding transaction commits."""
    transaction.on_commit(lambda: publish_admin_event(event))


def customer_event_publish_on_commit(customer_id: int, event: dict, *, previous_id: int) -> None:
    """Publish a customer event once the transaction that stored it commits."""
    transaction.on_commit(
        lambda: publish_customer_event(customer_id, event, previous_id=previous_id)
    )
