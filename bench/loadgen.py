"""Client processes that hold the sockets: each runs its own asyncio loop over its share.

The parent talks to each worker over a Pipe: the worker connects its sockets and reports, then
answers `count` (receipts of a range of keys, open sockets) until `stop`, when it hands back what
every socket received: key indexes and monotonic receive times, so the parent can match them to
the moments the alerts were raised, plus the server's own timestamp of each key when it has one.
"""

import asyncio
import multiprocessing
import re
import time
from array import array
from dataclasses import dataclass, field

from . import rawws


@dataclass
class WorkerPlan:
    """What one worker does: its socket URLs and how to recognise a counted frame."""

    urls: list[str]
    keys: list[str]
    key_pattern: bytes
    require_pattern: bytes | None = None
    stamp_pattern: bytes | None = None
    subprotocols: list[str] | None = None
    concurrency: int = 25
    open_timeout: float = 30.0


@dataclass
class SocketLog:
    """Everything one socket saw."""

    connected: bool = False
    error: str = ""
    close_code: int | None = None
    other_frames: int = 0
    indexes: array = field(default_factory=lambda: array("i"))
    times: array = field(default_factory=lambda: array("d"))


class Worker:
    """The sockets of one client process."""

    def __init__(self, plan: WorkerPlan):
        self.plan = plan
        self.key_index = {key.encode(): i for i, key in enumerate(plan.keys)}
        self.counts = array("i", bytes(4 * len(plan.keys)))
        self.key_re = re.compile(plan.key_pattern)
        self.require_re = re.compile(plan.require_pattern) if plan.require_pattern else None
        self.stamp_re = re.compile(plan.stamp_pattern) if plan.stamp_pattern else None
        self.stamps: dict[int, bytes] = {}
        self.logs = [SocketLog() for _ in plan.urls]
        self.sockets = []
        self.open = 0
        self.attempted = 0
        self.all_attempted = asyncio.Event()
        self.stopping = False

    async def hold(self, url: str, log: SocketLog, gate: asyncio.Semaphore) -> None:
        """Open one socket and record every frame until it closes or the run stops."""
        async with gate:
            try:
                ws = await rawws.connect(
                    url,
                    self.receiver(log),
                    subprotocols=self.plan.subprotocols,
                    limit_s=self.plan.open_timeout,
                )
            except rawws.HandshakeFailed as exc:
                log.error = f"HTTP {exc.status}" if exc.status else str(exc)[:120]
                return
            except (OSError, TimeoutError) as exc:
                log.error = f"{type(exc).__name__}: {exc}"[:120]
                return
            finally:
                self.attempted += 1
                if self.attempted == len(self.plan.urls):
                    self.all_attempted.set()
        log.connected = True
        self.sockets.append(ws)
        self.open += 1
        try:
            code = await ws.closed
            if not self.stopping:
                log.close_code = code
        finally:
            self.open -= 1

    def receiver(self, log: SocketLog):
        """The per-frame callback of one socket: match the frame to a key and note the time."""
        key_re, require_re, key_index, counts = (
            self.key_re,
            self.require_re,
            self.key_index,
            self.counts,
        )
        monotonic, stamp_re, stamps = time.monotonic, self.stamp_re, self.stamps
        indexes, times = log.indexes, log.times

        def on_message(data: bytes) -> None:
            now = monotonic()
            match = key_re.search(data)
            index = key_index.get(match.group(1)) if match else None
            if index is None or (require_re is not None and not require_re.search(data)):
                log.other_frames += 1
                return
            indexes.append(index)
            times.append(now)
            counts[index] += 1
            if index not in stamps and stamp_re is not None:
                stamp = stamp_re.search(data)
                stamps[index] = stamp.group(1) if stamp else b""

        return on_message

    async def run(self, conn) -> None:
        """Connect, report, answer the parent's questions, then hand back the logs."""
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(self.plan.concurrency)
        started = time.monotonic()
        tasks = [
            asyncio.create_task(self.hold(url, log, gate))
            for url, log in zip(self.plan.urls, self.logs, strict=True)
        ]
        await self.all_attempted.wait()
        errors = [log.error for log in self.logs if log.error]
        conn.send(
            (
                "connected",
                sum(log.connected for log in self.logs),
                errors,
                time.monotonic() - started,
            )
        )
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "count":
                _, low, high = command
                conn.send((sum(self.counts[low:high]), self.open))
            elif command[0] == "stop":
                break
        self.stopping = True
        for ws in self.sockets:
            ws.transport.abort()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        conn.send(
            (
                [
                    (
                        log.connected,
                        log.error,
                        log.close_code,
                        log.other_frames,
                        log.indexes.tobytes(),
                        log.times.tobytes(),
                    )
                    for log in self.logs
                ],
                {index: stamp.decode() for index, stamp in self.stamps.items()},
            )
        )


def worker_main(conn, plan: WorkerPlan) -> None:
    """Entry point of one client process."""
    asyncio.run(Worker(plan).run(conn))


class ClientPool:
    """The client processes of one run, driven from the parent."""

    def __init__(self, plans: list[WorkerPlan]):
        context = multiprocessing.get_context("spawn")
        self.conns = []
        self.procs = []
        self.stamps: dict[int, str] = {}
        for plan in plans:
            parent_end, child_end = context.Pipe()
            proc = context.Process(target=worker_main, args=(child_end, plan), daemon=True)
            proc.start()
            child_end.close()  # so that a worker that dies shows up as EOF, not as silence
            self.conns.append(parent_end)
            self.procs.append(proc)

    def wait_connected(self, timeout: float) -> tuple[int, list[str], float]:
        """Block until every worker has tried all its sockets: (connected, errors, slowest s)."""
        connected, errors, slowest = 0, [], 0.0
        for conn in self.conns:
            if not conn.poll(timeout):
                raise TimeoutError(f"sockets not connected within {timeout:.0f} s")
            _, ok, errs, elapsed = conn.recv()
            connected += ok
            errors += errs
            slowest = max(slowest, elapsed)
        return connected, errors, slowest

    def count(self, low: int, high: int) -> tuple[int, int]:
        """Receipts of keys low..high-1 over all sockets, and how many sockets are still open."""
        for conn in self.conns:
            conn.send(("count", low, high))
        received = opened = 0
        for conn in self.conns:
            if not conn.poll(30):
                raise TimeoutError("a client process did not answer within 30 s")
            got, still_open = conn.recv()
            received += got
            opened += still_open
        return received, opened

    def stop(self, timeout: float = 60.0) -> list[tuple]:
        """Close every socket and collect the per-socket logs, in the order of the URLs."""
        for conn in self.conns:
            conn.send(("stop",))
        answers = [conn.recv() if conn.poll(timeout) else ([], {}) for conn in self.conns]
        self.terminate()
        shares = [logs for logs, _ in answers]
        for _, stamps in answers:
            self.stamps.update(stamps)
        # Worker w held sockets w, w + W, w + 2W, ... (see bench.run.split): restore that order.
        total = sum(len(share) for share in shares)
        width = len(shares)
        return [shares[j % width][j // width] for j in range(total)]

    def terminate(self) -> None:
        """End the client processes (idempotent); those that were told to stop may exit first."""
        for proc in self.procs:
            proc.join(2)
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()

    @property
    def pids(self) -> list[int]:
        """Process ids of the client processes."""
        return [proc.pid for proc in self.procs]
