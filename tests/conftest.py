"""Shared fixtures: accounts, orders, signed notifies and admin sockets on the real ASGI app."""

import copy
import importlib
import json
import os
import secrets
import time

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import WebsocketCommunicator
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, connections
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import Dish
from orders.services import order_create
from orders.signing import sign_notify

IN_CI = os.environ.get("CI") == "true"
# Generous: a loaded 2-core machine may take seconds to deliver; no test asserts speed.
WAIT = 15


def require(available: bool, reason: str) -> None:
    """Skip when a service or browser is missing; in CI, fail instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _isolated_channel_layer_prefix():
    """Give this test session its own Redis prefix, so concurrent runs never hear each other.

    Redis pub/sub ignores the database number; only the prefix keeps runs apart.
    """
    prefix = f"{settings.CHANNEL_LAYER_PREFIX}-{secrets.token_hex(4)}"
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"].setdefault("CONFIG", {})
    if "hosts" in layers["default"]["CONFIG"]:
        layers["default"]["CONFIG"]["prefix"] = prefix
    else:
        layers["default"].pop("CONFIG")
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    override = override_settings(CHANNEL_LAYER_PREFIX=prefix, CHANNEL_LAYERS=layers, CACHES=caches)
    override.enable()
    yield prefix
    override.disable()


@pytest.fixture(autouse=True, scope="session")
def _close_connections_of_the_database_thread(django_db_setup, django_db_blocker):
    """Close what the ASGI app's database thread left open, so the test database can be dropped.

    Consumers query through `database_sync_to_async`, which runs in asgiref's shared thread;
    a test that ends while a handshake is in flight can leave that thread's connection open.
    """
    yield
    with django_db_blocker.unblock():
        SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield


@pytest.fixture
def dish(db):
    return Dish.objects.create(name="宫保鸡丁", price=1900)


def make_user(username: str, *, is_staff: bool = False):
    user = get_user_model().objects.create_user(username, password="pw-" + username)
    user.is_staff = is_staff
    user.save()
    return user


@pytest.fixture
def shop_group(db):
    """The 「店员」 group, as the orders migration 0003 makes it.

    Tests with transaction=True empty every table after them, rows of data migrations
    included, so the group is made again here rather than trusted to have survived.
    """
    migration = importlib.import_module("orders.migrations.0003_shop_staff_group")
    with connection.schema_editor() as editor:
        migration.create_group(django_apps, editor)
    return Group.objects.get(name=migration.GROUP)


@pytest.fixture
def staff(db):
    return make_user("clerk", is_staff=True)


@pytest.fixture
def customer(db):
    return make_user("alice")


@pytest.fixture
def other_customer(db):
    return make_user("bob")


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


@pytest.fixture
def staff_token(staff):
    return token_for(staff)


def api_client_for(user) -> APIClient:
    """A DRF test client that sends `user`'s API token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def customer_api(customer):
    return api_client_for(customer)


@pytest.fixture
def order(customer, dish):
    """An unpaid order of two dishes: 3800 cents."""
    return order_create(
        customer=customer, items=[{"dish": dish.pk, "quantity": 2}], address="1 Road"
    )


def notify_body(order, *, transaction_id="wx-1", amount=None, trade_state="SUCCESS") -> bytes:
    return json.dumps(
        {
            "out_trade_no": order.number,
            "transaction_id": transaction_id,
            "trade_state": trade_state,
            "amount": {"total": order.amount if amount is None else amount},
        }
    ).encode()


def signed_headers(body: bytes, *, timestamp=None, nonce=None, secret=None) -> dict:
    timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
    nonce = secrets.token_hex(8) if nonce is None else nonce
    signature = sign_notify(secret or settings.PAYMENT_NOTIFY_SECRET, timestamp, nonce, body)
    return {
        "HTTP_X_PAY_TIMESTAMP": timestamp,
        "HTTP_X_PAY_NONCE": nonce,
        "HTTP_X_PAY_SIGNATURE": signature,
    }


def post_notify(body: bytes, headers: dict):
    """POST a raw notify body, as the provider does."""
    return APIClient().post(
        "/api/payments/notify/", data=body, content_type="application/json", **headers
    )


def pay(order, **kwargs):
    """Send a correctly signed SUCCESS notify for `order`."""
    body = notify_body(order, **kwargs)
    return post_notify(body, signed_headers(body))


async def open_admin_socket(
    *, token=None, since=None, protocol=True, headers=None, path="/ws/page-1", live=False
) -> WebsocketCommunicator:
    """Connect an admin page to the real ASGI application and return the communicator.

    With `live`, wait until the page is live (a ping is answered only after the connect
    handler, replay included, has finished); frames before the pong are dropped.
    """
    from takeout.asgi import application

    query = []
    if token is not None:
        query.append(f"token={token}")
    if since is not None:
        query.append(f"since={since}")
    full_path = path + ("?" + "&".join(query) if query else "")
    communicator = WebsocketCommunicator(
        application,
        full_path,
        headers=headers or [],
        subprotocols=["takeout.v1"] if protocol else None,
    )
    connected, _ = await communicator.connect(timeout=WAIT)
    assert connected
    if live:
        await communicator.send_json_to({"action": "ping"})
        await next_event(communicator, "pong")
    return communicator


async def next_alert(socket, wait: float = WAIT) -> dict:
    """The next frame that is an alert (events such as presence are passed over)."""
    while True:
        frame = await socket.receive_json_from(timeout=wait)
        if "type" in frame:
            return frame


async def next_event(socket, name: str, wait: float = WAIT) -> dict:
    """The next `event` frame called `name`."""
    while True:
        frame = await socket.receive_json_from(timeout=wait)
        if frame.get("event") == name:
            return frame


@pytest.fixture
def other_api(other_customer):
    return api_client_for(other_customer)


@pytest.fixture
def staff_api(staff):
    return api_client_for(staff)


def mark_paid(order, transaction_id: str | None = None):
    """Pay `order` through the service (the notify endpoint has its own tests); returns it fresh."""
    from orders.services import order_mark_paid

    order_mark_paid(
        number=order.number,
        transaction_id=transaction_id or f"tx-{order.pk}",
        amount=order.amount,
    )
    order.refresh_from_db()
    return order


async def open_customer_socket(
    *, token=None, since=None, headers=None, path="/ws/customer/app-1", live=False
) -> WebsocketCommunicator:
    """Connect a customer client to the real ASGI application and return the communicator.

    With `live`, wait until the stream is live (the pong comes after the connect handler,
    replay included); frames before the pong are dropped.
    """
    from takeout.asgi import application

    query = []
    if token is not None:
        query.append(f"token={token}")
    if since is not None:
        query.append(f"since={since}")
    full_path = path + ("?" + "&".join(query) if query else "")
    communicator = WebsocketCommunicator(application, full_path, headers=headers or [])
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    if live:
        await communicator.send_json_to({"action": "ping"})
        await next_event(communicator, "pong")
    return communicator
