"""The shipped deploy/nginx.conf in front of two daphne processes, on loopback."""

import asyncio
import json
import urllib.request

import pytest
import websockets
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import require, token_for
from tests.live.nginx import nginx, nginx_available
from tests.live.servers import daphne, post_notify

pytestmark = [
    pytest.mark.live,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.topology,
    pytest.mark.django_db(transaction=True),
]

WAIT = 10


class Topology:
    """Two daphne processes (their own addresses and access logs) behind one nginx."""

    def __init__(self, proxy: str, upstreams: list[str], access_logs: list):
        self.proxy = proxy
        self.upstreams = upstreams
        self.access_logs = access_logs

    def upstream_holding(self, path: str) -> int:
        """Index of the daphne process that accepted the WebSocket at `path`."""
        holders = [
            index
            for index, log in enumerate(self.access_logs)
            if f'"WSCONNECT {path}"' in log.read_text()
        ]
        assert len(holders) == 1, holders
        return holders[0]


@pytest.fixture(scope="module")
def topology(django_db_setup, django_db_blocker, tmp_path_factory):
    """Started once for the module: the tests share the processes, not their data."""
    require(nginx_available(), "nginx is not installed")
    with django_db_blocker.unblock():
        from django.conf import settings

        if not settings.REDIS_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
            pytest.skip("needs REDIS_URL and a PostgreSQL DATABASE_URL")
    workdir = tmp_path_factory.mktemp("nginx")
    static_root = workdir / "static"
    with override_settings(STATIC_ROOT=static_root):
        call_command("collectstatic", interactive=False, verbosity=0, link=True)
    logs = [workdir / "first-access.log", workdir / "second-access.log"]
    with (
        daphne("--proxy-headers", "--access-log", str(logs[0])) as first,
        daphne("--proxy-headers", "--access-log", str(logs[1])) as second,
        nginx([first, second], static_root, workdir) as proxy,
    ):
        yield Topology(proxy, [first, second], logs)


def origin_of(topology) -> str:
    return f"http://{topology.proxy}"


async def check_socket(topology, client_id: str, **options):
    """Open the echo socket through nginx as a staff member's browser; answer its hello."""
    token = options.pop("token")
    socket = await websockets.connect(
        f"ws://{topology.proxy}/ws/check/{client_id}?token={token}",
        origin=options.pop("origin", origin_of(topology)),
        **options,
    )
    hello = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
    return socket, hello


@pytest.fixture
async def staff_key(staff):
    return await database_sync_to_async(token_for)(staff)


async def test_admin_socket_through_nginx_receives_an_alert_raised_on_the_other_upstream(
    topology, staff_key, order
):
    path = "/ws/pinned-page"
    socket = await websockets.connect(
        f"ws://{topology.proxy}{path}?token={staff_key}", origin=origin_of(topology)
    )
    await socket.send(json.dumps({"action": "ping"}))
    assert json.loads(await asyncio.wait_for(socket.recv(), WAIT)) == {"event": "pong"}
    other = topology.upstreams[1 - topology.upstream_holding(path)]

    await asyncio.to_thread(post_notify, other, order)

    frame = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
    assert (frame["type"], frame["orderNumber"]) == (1, order.number)
    await socket.close()


async def test_nginx_spreads_sockets_over_both_upstreams(topology, staff_key):
    first, first_hello = await check_socket(topology, "spread-1", token=staff_key)
    second, second_hello = await check_socket(topology, "spread-2", token=staff_key)

    assert first_hello["server"] != second_hello["server"]
    await first.close()
    await second.close()


async def test_foreign_origin_is_refused_behind_the_proxy(topology, staff_key):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await check_socket(topology, "foreign", token=staff_key, origin="http://evil.example")

    assert refused.value.response.status_code == 403


async def test_proxied_origin_is_accepted_and_the_client_address_cannot_be_forged(
    topology, staff_key
):
    socket, hello = await check_socket(
        topology,
        "own-origin",
        token=staff_key,
        additional_headers={"X-Forwarded-For": "203.0.113.7"},
    )

    # nginx overwrites the header with the real peer; daphne (--proxy-headers) reports it.
    assert (hello["event"], hello["client"]) == ("hello", "127.0.0.1")
    await socket.close()


def test_static_files_are_served_by_nginx(topology):
    url = f"http://{topology.proxy}/static/notifications/ws-check.js"
    with urllib.request.urlopen(url, timeout=WAIT) as response:  # noqa: S310 - loopback only
        body = response.read().decode()
        content_type = response.headers["Content-Type"]

    assert "/ws/check/" in body
    assert content_type.endswith("javascript")
