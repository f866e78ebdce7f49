"""The two servers a run can measure, behind one interface: start, prepare, raise, stop.

`TakeoutTarget` is the real stack (daphne processes, PostgreSQL, Redis, the signed notify endpoint);
`ReferenceTarget` is bench/reference_server.py. Both answer the same socket URLs and frame shapes.
"""

import asyncio
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import httpclient, stack
from .procs import ChildProcesses, wait_until_healthy
from .signing import signed_notify

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETUP_CONCURRENCY = 16


@dataclass(frozen=True)
class Scenario:
    """How a scenario's frames are recognised: the key regex, an extra required match, warm-ups,
    and where the server's creation time of the event is (when its frames carry one)."""

    name: str
    key_pattern: bytes
    require_pattern: bytes | None
    warmup: int
    stamp_pattern: bytes | None = None


SCENARIOS = {
    "broadcast": Scenario(
        "broadcast", rb'"orderNumber"\s*:\s*"([^"]+)"', None, 1, rb'"createdAt"\s*:\s*"([^"]+)"'
    ),
    "customers": Scenario(
        "customers", rb'"orderId"\s*:\s*(\d+)', rb'"status"\s*:\s*"confirmed"', 0
    ),
}


@dataclass
class Plan:
    """One run's events and sockets: a key per event (warm-ups first) and the socket URLs.

    `recipients[i]` is the one socket that event i is for; None means every socket.
    """

    keys: list[str]
    urls: list[str]
    recipients: list[int] | None


def recipient_of(event: int, sockets: int) -> int:
    """Spread targeted events over distinct sockets (a stride co-prime with the socket count)."""
    stride = 7919 if sockets % 7919 else 1
    return (event * stride) % sockets


async def limited(factories, limit: int = SETUP_CONCURRENCY) -> list:
    """Await the coroutines made by `factories`, at most `limit` at a time, results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(factory):
        async with gate:
            return await factory()

    return await asyncio.gather(*(one(factory) for factory in factories))


class Target:
    """Common parts: child processes, ports, logs."""

    name = "target"

    def __init__(self, *, processes: int, log_dir: Path, redis_url: str):
        self.processes = processes
        self.log_dir = log_dir
        self.redis_url = redis_url
        self.children = ChildProcesses()
        self.prefix = stack.unique_name(f"bench-{self.name}")
        self.secret = secrets.token_hex(16)
        self.ws_ports: list[int] = []
        self.scenario: Scenario | None = None
        self.plan: Plan | None = None

    @property
    def server_pids(self) -> list[int]:
        """Process ids of the server processes."""
        return [proc.pid for proc in self.children.procs]

    def database_connections(self) -> int | None:
        """Open connections to the target's database (None: it has none)."""
        return None

    def stop(self) -> None:
        """Stop the servers and forget the Redis keys of this run."""
        self.children.stop_all()
        stack.redis_forget(self.redis_url, self.prefix)


class ReferenceTarget(Target):
    """bench/reference_server.py on P ports, each with its own HTTP port for raising events."""

    name = "reference"

    async def start(self) -> None:
        """Start P reference processes and wait until each answers."""
        ports = stack.free_ports(2 * self.processes)
        self.ws_ports, self.http_ports = ports[: self.processes], ports[self.processes :]
        for ws_port, http_port in zip(self.ws_ports, self.http_ports, strict=True):
            argv = [
                sys.executable,
                "-m",
                "bench.reference_server",
                "--port",
                str(ws_port),
                "--http-port",
                str(http_port),
                "--redis",
                self.redis_url,
                "--prefix",
                self.prefix,
                "--secret",
                self.secret,
            ]
            log = self.log_dir / f"reference-{ws_port}.log"
            proc = self.children.start(argv, env=dict(os.environ), cwd=PROJECT_ROOT, log_path=log)
            await wait_until_healthy(http_port, proc)

    async def prepare(self, scenario: Scenario, sockets: int, events: int) -> Plan:
        """Invent order numbers (or ids) and socket URLs; nothing to create up front."""
        self.scenario = scenario
        tag = secrets.randbelow(10**6)
        ports = self.ws_ports
        if scenario.name == "broadcast":
            keys = [f"9{tag:06d}{i:08d}" for i in range(events)]
            urls = [f"ws://127.0.0.1:{ports[j % len(ports)]}/ws/bench{j}" for j in range(sockets)]
            self.plan = Plan(keys, urls, None)
        else:
            keys = [str(10**8 + i) for i in range(events)]
            urls = [
                f"ws://127.0.0.1:{ports[j % len(ports)]}/ws/customer/bench{j}?token=c{j}"
                for j in range(sockets)
            ]
            self.plan = Plan(keys, urls, [recipient_of(i, sockets) for i in range(events)])
        return self.plan

    async def raise_event(self, index: int) -> httpclient.Response:
        """Raise event `index` through the HTTP port of process `index % P`."""
        port = self.http_ports[index % len(self.http_ports)]
        key = self.plan.keys[index]
        if self.scenario.name == "broadcast":
            body, headers = signed_notify(
                self.secret, number=key, transaction_id=f"ref-{key}", total=3800
            )
            return await httpclient.request(
                port, "POST", "/api/payments/notify/", body=body, headers=headers
            )
        event = {
            "customer": f"c{self.plan.recipients[index]}",
            "orderId": int(key),
            "status": "confirmed",
        }
        return await httpclient.post_json(port, "/events/customer/", event)


class TakeoutTarget(Target):
    """The real stack: P daphne processes on a throwaway PostgreSQL database and Redis prefix."""

    name = "takeout"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.database = stack.unique_name("takeout_bench")
        self.database_url = None
        self.staff = ("bench-staff", secrets.token_hex(12))
        self.customer = ("bench-customer", secrets.token_hex(12))
        self.orders: list[dict] = []

    def environment(self) -> dict:
        """Environment of every process of the stack."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="takeout.settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_hex(32),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CHANNEL_LAYER_PREFIX=self.prefix,
            PAYMENT_NOTIFY_SECRET=self.secret,
            API_THROTTLE_USER="10000000/minute",
            API_THROTTLE_ANON="10000000/minute",
            DEMO_STAFF_USERNAME=self.staff[0],
            DEMO_STAFF_PASSWORD=self.staff[1],
            DEMO_CUSTOMER_USERNAME=self.customer[0],
            DEMO_CUSTOMER_PASSWORD=self.customer[1],
        )
        return env

    def manage(self, *args: str, timeout: float = 300) -> None:
        """Run one management command of the project against the throwaway database."""
        log = self.log_dir / "manage.log"
        with open(log, "ab") as out:
            subprocess.run(
                [sys.executable, *args],
                cwd=PROJECT_ROOT,
                env=self.environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=True,
            )

    async def start(self) -> None:
        """Create the database, migrate, seed, start P daphne processes, log in."""
        self.database_url = stack.database_create(self.database)
        self.manage("manage.py", "migrate", "--noinput")
        self.manage("manage.py", "seed_demo")
        self.ws_ports = stack.free_ports(self.processes)
        for port in self.ws_ports:
            argv = [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "takeout.asgi:application",
            ]
            log = self.log_dir / f"daphne-{port}.log"
            proc = self.children.start(argv, env=self.environment(), cwd=PROJECT_ROOT, log_path=log)
            await wait_until_healthy(port, proc)
        self.staff_token = await self.token(*self.staff)
        self.customer_token = await self.token(*self.customer)

    def database_connections(self) -> int | None:
        """Open connections to the throwaway database right now."""
        return stack.database_connections(self.database)

    def stop(self) -> None:
        """Stop the servers, forget the Redis keys and drop the database."""
        try:
            super().stop()
        finally:
            if self.database_url:
                stack.database_drop(self.database)

    async def token(self, username: str, password: str) -> str:
        """An API token for this account (POST /api/auth/token/)."""
        answer = await httpclient.post_json(
            self.ws_ports[0], "/api/auth/token/", {"username": username, "password": password}
        )
        if answer.status != 200:
            raise RuntimeError(f"token for {username}: HTTP {answer.status} {answer.body}")
        return answer.body["token"]

    async def dish_id(self) -> int:
        """The first dish on the menu (GET /api/dishes/)."""
        answer = await httpclient.request(
            self.ws_ports[0],
            "GET",
            "/api/dishes/",
            headers={"Authorization": f"Token {self.customer_token}"},
        )
        dishes = answer.body["results"] if isinstance(answer.body, dict) else answer.body
        if answer.status != 200 or not dishes:
            raise RuntimeError(f"no dish to order: HTTP {answer.status} {answer.body}")
        return dishes[0]["id"]

    async def order_create(self, index: int, token: str, dish: int) -> dict:
        """One pending order through the customer API (POST /api/orders/)."""
        answer = await httpclient.post_json(
            self.ws_ports[index % len(self.ws_ports)],
            "/api/orders/",
            {"items": [{"dish": dish, "quantity": 1}], "address": f"bench {index}", "remark": ""},
            headers={"Authorization": f"Token {token}"},
        )
        if answer.status != 201:
            raise RuntimeError(f"order {index}: HTTP {answer.status} {answer.body}")
        return answer.body

    async def notify(self, index: int) -> httpclient.Response:
        """The signed payment notify for order `index` (POST /api/payments/notify/)."""
        order = self.orders[index]
        body, headers = signed_notify(
            self.secret,
            number=order["number"],
            transaction_id=f"bench-{self.prefix}-{index}",
            total=order["amount"],
        )
        return await httpclient.request(
            self.ws_ports[index % len(self.ws_ports)],
            "POST",
            "/api/payments/notify/",
            body=body,
            headers=headers,
        )

    async def prepare(self, scenario: Scenario, sockets: int, events: int) -> Plan:
        """Create the orders the events need, and the accounts the sockets sign in with."""
        self.scenario = scenario
        dish = await self.dish_id()
        ports = self.ws_ports
        if scenario.name == "broadcast":
            self.orders = await limited(
                [lambda i=i: self.order_create(i, self.customer_token, dish) for i in range(events)]
            )
            urls = [
                f"ws://127.0.0.1:{ports[j % len(ports)]}/ws/bench{j}?token={self.staff_token}"
                for j in range(sockets)
            ]
            self.plan = Plan([order["number"] for order in self.orders], urls, None)
            return self.plan
        tokens = await self.customers_create(sockets)
        recipients = [recipient_of(i, sockets) for i in range(events)]
        self.orders = await limited(
            [lambda i=i: self.order_create(i, tokens[recipients[i]], dish) for i in range(events)]
        )
        paid = await limited([lambda i=i: self.notify(i) for i in range(events)])
        unpaid = [i for i, answer in enumerate(paid) if answer.status != 200]
        if unpaid:
            raise RuntimeError(f"{len(unpaid)} orders could not be paid, e.g. {paid[unpaid[0]]}")
        urls = [
            f"ws://127.0.0.1:{ports[j % len(ports)]}/ws/customer/bench{j}?token={tokens[j]}"
            for j in range(sockets)
        ]
        self.plan = Plan([str(order["id"]) for order in self.orders], urls, recipients)
        return self.plan

    async def customers_create(self, count: int) -> list[str]:
        """`count` customer accounts with tokens, made in bulk by bench/seed_customers.py."""
        out = self.log_dir / "customer-tokens.json"
        await asyncio.to_thread(
            self.manage, "-m", "bench.seed_customers", "--count", str(count), "--out", str(out)
        )
        return json.loads(out.read_text())

    async def raise_event(self, index: int) -> httpclient.Response:
        """Broadcast: pay order `index` (one type 1 alert). Customers: confirm it (one event)."""
        if self.scenario.name == "broadcast":
            return await self.notify(index)
        order_id = self.orders[index]["id"]
        return await httpclient.request(
            self.ws_ports[index % len(self.ws_ports)],
            "POST",
            f"/api/admin/orders/{order_id}/confirm/",
            headers={"Authorization": f"Token {self.staff_token}"},
        )


TARGETS = {"reference": ReferenceTarget, "takeout": TakeoutTarget}
