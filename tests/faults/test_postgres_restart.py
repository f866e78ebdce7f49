"""PostgreSQL stops and starts again under a running server, which is never restarted."""

import asyncio
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.faults.live import Page, Server, http, log_in, post_notify
from tests.faults.services import ThrowawayPostgres
from tests.live.servers import ROOT, server_env

pytestmark = [pytest.mark.faults, pytest.mark.live, pytest.mark.redis]

ORDER = {"items": [{"dish": 1, "quantity": 2}], "address": "1 Road"}


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL cluster of the module's own, migrated and seeded with the demo accounts."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    cluster = ThrowawayPostgres()
    try:
        cluster.init()
        cluster.start()
        subprocess.run(
            [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []), "createdb"]
            + ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.user, "takeout"],
            check=True,
        )
        env = server_env(DATABASE_URL=cluster.url("takeout"))
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        yield cluster
    finally:
        subprocess.run(
            [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])]
            + ["pg_ctl", "-D", str(cluster.data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cluster.remove()


def token(base, username, password):
    return http(
        base, "POST", "/api/auth/token/", body={"username": username, "password": password}
    )[1]["token"]


async def wait_until_healthy(base: str, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while http(base, "GET", "/healthz/")[0] != 200:
        assert asyncio.get_running_loop().time() < deadline, "server did not recover"
        await asyncio.sleep(0.5)


def count_orders(cluster) -> int:
    """Orders in the cluster, counted with psql (the test process's own database is another)."""
    out = subprocess.run(
        ["psql", cluster.url("takeout"), "-tAc", "SELECT count(*) FROM orders_order"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


async def test_requests_answer_503_while_postgres_is_down_and_succeed_after_without_restart(
    cluster, figures
):
    # Persistent connections are the hard case: each one dies with the restart.
    server = Server(
        DATABASE_URL=cluster.url("takeout"), DATABASE_CONN_MAX_AGE=60, ALERT_RECONCILE_SECONDS=0.5
    ).start()
    try:
        customer = token(server.base, "customer", "customer-password")
        staff = token(server.base, "staff", "staff-password")
        page = await Page("pg-page", staff).open(server.base)
        browser = await asyncio.to_thread(log_in, server.base, "staff", "staff-password")
        status, placed, _ = http(server.base, "POST", "/api/orders/", body=ORDER, token=customer)
        assert status == 201
        order = SimpleNamespace(number=placed["number"], amount=placed["amount"])
        before = count_orders(cluster)

        cluster.stop()
        down = [
            http(server.base, "POST", "/api/orders/", body=ORDER, token=customer),
            http(server.base, "GET", "/api/orders/", token=customer),
            http(server.base, "GET", "/api/admin/orders/", token=staff),
            http(server.base, "POST", "/api/orders/1/reminder/", token=customer),
            http(server.base, "POST", "/api/auth/token/", body={"username": "x", "password": "y"}),
            http(server.base, "GET", "/api/dishes/"),
        ]
        health = http(server.base, "GET", "/healthz/")
        admin_page = await asyncio.to_thread(browser.get, "/admin/")
        notify_while_down = post_notify(server.base, order)
        await asyncio.sleep(1.5)  # let the reconcile sweep meet the outage too
        cluster.start()
        # The connection pool reconnects in the background: wait (bounded) until the server
        # says it is healthy again, as a load balancer would, then it must serve normally.
        await wait_until_healthy(server.base)

        after = http(server.base, "POST", "/api/orders/", body=ORDER, token=customer)
        notify_after = post_notify(server.base, order)
        await page.wait_for([1])
        await page.close()
        browser.close()
    finally:
        output = server.stop()
    figures.inputs(len(down))
    assert [(status, body) for status, body, _ in down] == [
        (503, {"detail": "The database is unavailable; try again shortly."})
    ] * len(down)
    assert all(headers["Retry-After"] == "5" for _, _, headers in down)
    assert (admin_page.status_code, admin_page.headers["Retry-After"]) == (503, "5")
    assert health[:2] == (503, {"status": "unavailable", "failed": ["database"]})
    assert notify_while_down == 503
    assert (after[0], notify_after) == (201, 200)
    assert page.received == [1]
    assert count_orders(cluster) == before + 1
    assert "Traceback" not in output, output
