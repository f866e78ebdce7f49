"""A real daphne process serving the project, for tests that drive a browser against it."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
APPLICATION = "takeout.asgi:application"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args: str, env: dict[str, str]) -> None:
    """Run a management command against the test server's database."""
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


class DaphneServer:
    """`daphne -b 127.0.0.1 -p <port> takeout.asgi:application`, startable and stoppable."""

    def __init__(self, *, env: dict[str, str], log_path: Path, port: int | None = None):
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    APPLICATION,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/accounts/login/", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"daphne did not answer within {STARTUP_SECONDS} s; see {self.log_path}")

    def stop(self) -> None:
        """Stop the process; every open WebSocket of it drops."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def server_environment(database: Path) -> dict[str, str]:
    """Environment of every server process of one test run: one database file, open throttles."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "takeout.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "0",
            # No nginx in front: the application serves its own static files.
            "BEHIND_PROXY": "0",
            "PAYMENT_NOTIFY_SECRET": "browser-notify-secret",
            "API_THROTTLE_USER": "100000/minute",
            "API_THROTTLE_ANON": "100000/minute",
            "REMINDER_INTERVAL_SECONDS": "0",
            "DEMO_STAFF_USERNAME": "staff",
            "DEMO_STAFF_PASSWORD": "staff-password",
            "DEMO_CUSTOMER_USERNAME": "customer",
            "DEMO_CUSTOMER_PASSWORD": "customer-password",
            # Redis pub/sub channels ignore the database number: keep runs apart by prefix.
            "CHANNEL_LAYER_PREFIX": f"browser-{os.getpid()}",
        }
    )
    return env
