"""Throwaway Redis and PostgreSQL servers that a fault test may stop and start at will."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.live.servers import free_port


def wait_for_port(port: int, *, up: bool, seconds: float = 30) -> None:
    """Wait until something listens on (or nothing listens on) a loopback port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            listening = probe.connect_ex(("127.0.0.1", port)) == 0
        if listening == up:
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not go {'up' if up else 'down'}")


class ThrowawayRedis:
    """A redis-server of our own on a free port, never the machine's."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--loglevel", "warning"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_for_port(self.port, up=False)


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"]
    return []


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own (initdb in a temporary directory, pg_ctl on a free port)."""

    def __init__(self):
        self.port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="takeout-pg-"))
        self.data = self.tmp / "data"
        self.log = self.tmp / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
        self.user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*_as_postgres_user(), *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.tmp,
        )

    def init(self) -> None:
        self._run(
            shutil.which("initdb") or "initdb",
            *("-D", str(self.data), "-U", self.user, "--auth=trust", "--no-sync"),
        )

    def start(self) -> None:
        self._run(
            shutil.which("pg_ctl") or "pg_ctl",
            *("-D", str(self.data), "-l", str(self.log), "-w", "start"),
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.tmp}"
            " -c fsync=off",
        )

    def stop(self) -> None:
        self._run(
            shutil.which("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"
        )
        wait_for_port(self.port, up=False)

    def remove(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
