"""Real server processes for tests: daphne on a free port, sharing the test database."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).with_name("daphne")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """A DATABASE_URL for the test database that the running tests created."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def server_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        CHANNEL_LAYER_PREFIX=settings.CHANNEL_LAYER_PREFIX,
        PAYMENT_NOTIFY_SECRET=settings.PAYMENT_NOTIFY_SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def stop_and_read_log(process: subprocess.Popen, log) -> str:
    """Stop a server started by a test (kill it after 10 s) and return what it logged."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.seek(0)
    output = log.read().decode(errors="replace")
    log.close()
    return output


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


@contextmanager
def daphne(*args: str, **env):
    """Run `daphne takeout.asgi:application` on a free loopback port; yields its base URL.

    `args` are extra daphne options (e.g. "--proxy-headers"), `env` extra environment.
    """
    with daphne_process(*args, **env) as (base, _):
        yield base


@contextmanager
def daphne_process(*args: str, **env):
    """Like `daphne`, and yields the process too, for tests that signal it."""
    port = free_port()
    log = open(ROOT / f".daphne-{port}.log", "w+b")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), *args, "takeout.asgi:application"],
        cwd=ROOT,
        env=server_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"127.0.0.1:{port}"
    try:
        wait_until_up(f"http://{base}/healthz/", process)
        yield base, process
    finally:
        output = stop_and_read_log(process, log)
        os.unlink(log.name)
        assert "Traceback" not in output, output


def post_notify(base: str, order, *, transaction_id: str = "wx-1") -> int:
    """POST a correctly signed SUCCESS notify to a running server; the HTTP status."""
    from tests.conftest import notify_body, signed_headers

    body = notify_body(order, transaction_id=transaction_id)
    headers = {
        key.removeprefix("HTTP_").replace("_", "-"): value
        for key, value in signed_headers(body).items()
    }
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"http://{base}/api/payments/notify/",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
