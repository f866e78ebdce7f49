"""Live clients for the fault tests: HTTP notifies and admin pages over a real socket."""

import asyncio
import base64
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import websockets
from channels.db import database_sync_to_async

from tests.live.servers import (  # noqa: F401 - post_notify is used through this module
    DAPHNE,
    ROOT,
    free_port,
    post_notify,
    server_env,
    wait_until_up,
)

# Every fault test breaks real services under running servers, with a real database.
FAULT_MARKS = [
    pytest.mark.faults,
    pytest.mark.live,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@database_sync_to_async
def make_orders(customer, dish, count):
    """`count` unpaid orders of one dish for `customer`."""
    from orders.services import order_create

    return [
        order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="1 Road")
        for _ in range(count)
    ]


@database_sync_to_async
def alert_ids():
    """Every stored alert's id, in order."""
    from notifications.models import Alert

    return list(Alert.objects.order_by("id").values_list("id", flat=True))


class Page:
    """An admin page on a real server: reads every frame in the background.

    Keeps the alert ids in arrival order (duplicates included) and the id to reconnect from.
    """

    def __init__(self, name: str, token: str, *, protocol: bool = True):
        self.name = name
        self.token = token
        self.protocol = protocol
        self.received: list[int] = []
        self.socket = None
        self.closed: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None

    @property
    def last_id(self) -> int:
        return max(self.received, default=0)

    async def open(self, base: str, *, since: int | None = None) -> "Page":
        """Connect (replaying after `since`) and wait until the page is live."""
        query = f"?token={self.token}" + (f"&since={since}" if since is not None else "")
        self.socket = await websockets.connect(
            f"ws://{base}/ws/{self.name}{query}",
            subprotocols=["takeout.v1"] if self.protocol else None,
            open_timeout=10,
        )
        self.closed = asyncio.get_running_loop().create_future()
        pong = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read(pong))
        await self.socket.send(json.dumps({"action": "ping"}))
        await asyncio.wait_for(pong, 10)
        return self

    async def _read(self, pong: asyncio.Future) -> None:
        try:
            async for text in self.socket:
                frame = json.loads(text)
                if "type" in frame:
                    self.received.append(frame["id"])
                elif frame.get("event") == "pong" and not pong.done():
                    pong.set_result(True)
        except websockets.ConnectionClosed:
            pass
        finally:
            if not self.closed.done():
                self.closed.set_result(self.socket.close_code)

    async def wait_for(self, ids, seconds: float = 30) -> None:
        """Wait until every id in `ids` has arrived (or the time is up; the caller asserts)."""
        wanted = set(ids)
        deadline = asyncio.get_running_loop().time() + seconds
        while not wanted <= set(self.received):
            if asyncio.get_running_loop().time() > deadline or self.closed.done():
                return
            await asyncio.sleep(0.1)

    async def wait_for_count(self, count: int, seconds: float = 30) -> None:
        """Wait until `count` alerts have arrived (or the time is up; the caller asserts)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while len(self.received) < count and not self.closed.done():
            if asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            await self._reader


def lost_and_repeated(pages, expected_ids) -> tuple[int, int]:
    """Alerts missing from pages, and alerts a page got more than once, summed over pages."""
    lost = sum(len(set(expected_ids) - set(page.received)) for page in pages)
    repeated = sum(len(page.received) - len(set(page.received)) for page in pages)
    return lost, repeated


class Server:
    """A daphne process on a free port that a test may kill; its log is kept for asserts."""

    def __init__(self, **env):
        self.port = free_port()
        self.base = f"127.0.0.1:{self.port}"
        self.env = env
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process: subprocess.Popen | None = None

    def start(self) -> "Server":
        self.process = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(self.port), "takeout.asgi:application"],
            cwd=ROOT,
            env=server_env(**self.env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until_up(f"http://{self.base}/healthz/", self.process)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no close frames."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> str:
        """Stop the process (if still running); its whole log."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        output = self.output()
        self.log.close()
        return output


@contextmanager
def servers(count: int, **env):
    """`count` daphne processes on one database and channel layer; no traceback in any log."""
    running = []
    try:
        for _ in range(count):
            running.append(Server(**env).start())
        yield running
    finally:
        outputs = [server.stop() for server in running]
        for output in outputs:
            assert "Traceback" not in output, output


def raw_websocket(base: str, path: str, *, receive_buffer: int = 4096) -> socket.socket:
    """A WebSocket handshake over a bare TCP socket that will never read another byte."""
    host, port = base.split(":")
    raw = socket.socket()
    # A small receive window makes the server's side fill up soon after the client stops reading.
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    raw.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: {base}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += raw.recv(1)  # byte by byte: nothing past the handshake is read
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return raw


def resident_kib(pid: int) -> int:
    """A process's resident memory (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def http(base: str, method: str, path: str, *, body=None, token: str | None = None, raw=None):
    """One request to a running server: (status, parsed JSON or text, headers)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"http://{base}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, text, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, text, answer_headers = exc.code, exc.read(), exc.headers
    try:
        return status, json.loads(text), answer_headers
    except ValueError:
        return status, text.decode(errors="replace"), answer_headers


def log_in(base: str, username: str, password: str) -> httpx.Client:
    """Log in through the login form, as a browser does (CSRF cookie and token included)."""
    client = httpx.Client(base_url=f"http://{base}", timeout=30)
    form = client.get("/accounts/login/").text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    answer = client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
    )
    assert answer.status_code == 302, answer.text
    return client
