"""Who used the CPU during a timed window: servers, Redis, PostgreSQL, clients, and the rest."""

import asyncio
import os
import time

from . import procs


def _cpu(pid: int) -> float:
    try:
        return procs.cpu_seconds(pid)
    except OSError:  # the process is gone
        return 0.0


class CpuWindow:
    """CPU seconds per party between `start()` and `stop()`, from /proc.

    Whatever the machine spent beyond the watched processes is reported as other processes: on a
    shared machine that figure says how disturbed the run was.
    """

    def __init__(
        self, *, servers: list[int], clients: list[int], redis: int | None, postgres: int | None
    ):
        self.servers = servers
        self.clients = clients
        self.redis = redis
        self.postgres = postgres
        self.watched = servers + clients + [os.getpid()] + ([redis] if redis else [])

    def start(self) -> None:
        """Note the counters at the start of the window."""
        self.started = time.monotonic()
        self.cpu = {pid: _cpu(pid) for pid in self.watched}
        self.busy = procs.busy_cpu_seconds()
        self.postgres_cpu = procs.tree_cpu_seconds(self.postgres) if self.postgres else 0.0

    def stop(self) -> dict:
        """The window's figures: seconds for servers, Redis and PostgreSQL, % of a core else."""
        window = time.monotonic() - self.started
        used = {pid: _cpu(pid) - self.cpu[pid] for pid in self.watched}
        postgres = (
            procs.tree_cpu_seconds(self.postgres) - self.postgres_cpu if self.postgres else 0.0
        )
        others = procs.busy_cpu_seconds() - self.busy - sum(used.values()) - postgres
        clients = sum(used[pid] for pid in self.clients)
        return {
            "window_s": round(window, 2),
            "server_cpu_s": round(sum(used[pid] for pid in self.servers), 2),
            "redis_cpu_s": round(used[self.redis], 2) if self.redis else None,
            "postgres_cpu_s": round(postgres, 2) if self.postgres else None,
            "client_cpu_pct": round(100 * clients / window / max(1, len(self.clients))),
            "other_processes_cpu_pct": round(100 * max(0.0, others) / window),
        }


class PeakWatch:
    """Highest server thread count and database connection count seen while the window runs."""

    def __init__(self, *, servers: list[int], connections, every_s: float = 0.5):
        self.servers = servers
        self.connections = connections  # callable -> int | None
        self.every_s = every_s
        self.peak_threads = 0
        self.peak_connections = None
        self.task = None

    async def _watch(self) -> None:
        while True:
            threads = 0
            for pid in self.servers:
                try:
                    threads += procs.threads(pid)
                except OSError:
                    pass
            self.peak_threads = max(self.peak_threads, threads)
            count = await asyncio.to_thread(self.connections)
            if count is not None:
                self.peak_connections = max(self.peak_connections or 0, count)
            await asyncio.sleep(self.every_s)

    def start(self) -> None:
        """Begin sampling in the background."""
        self.task = asyncio.create_task(self._watch())

    async def stop(self) -> dict:
        """End sampling; the peaks, summed over the server processes."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        return {
            "peak_server_threads": self.peak_threads,
            "peak_db_connections": self.peak_connections,
        }
