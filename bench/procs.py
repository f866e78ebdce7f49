"""Child processes of a run: start, wait until they answer, measure from /proc, always stop."""

import asyncio
import os
import resource
import signal
import subprocess
import time
from pathlib import Path

from . import httpclient

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


class ChildProcesses:
    """Every server process a run starts; `stop_all()` ends them, also on error or Ctrl-C."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []
        self.log_paths: list[Path] = []

    def start(self, argv: list[str], *, env: dict, cwd: str, log_path: str) -> subprocess.Popen:
        """Start one server process with its output in `log_path`."""
        log = open(log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs.append(proc)
        self.log_paths.append(Path(log_path))
        return proc

    def stop_all(self, grace: float = 5.0) -> None:
        """SIGTERM every child still running, then SIGKILL what is left after `grace` seconds."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


async def wait_until_healthy(port: int, proc: subprocess.Popen, *, limit_s: float = 60.0) -> None:
    """Poll GET /healthz/ on `port` until it answers 200; raise if the process exits first."""
    deadline = time.monotonic() + limit_s
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with code {proc.returncode}")
        try:
            answer = await httpclient.request(port, "GET", "/healthz/", limit_s=5)
            if answer.status == 200:
                return
            last = f"HTTP {answer.status}: {answer.body}"
        except (TimeoutError, OSError) as exc:
            last = repr(exc)
        await asyncio.sleep(0.2)
    raise RuntimeError(f"server on port {port} not healthy after {limit_s:.0f} s ({last})")


def rss_kb(pid: int) -> int:
    """Resident set size of `pid` in KiB (VmRSS of /proc/<pid>/status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def threads(pid: int) -> int:
    """Number of threads of `pid` (Threads of /proc/<pid>/status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time used so far by `pid` (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_cpu_seconds(parent: int) -> float:
    """CPU of `parent`, of its children already reaped, and of its live children.

    For PostgreSQL's postmaster this covers every backend, also the short-lived ones that
    exited during the run (their time is added to the parent's cutime/cstime when reaped).
    """
    with open(f"/proc/{parent}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    total = sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
    for child in children_of(parent):
        try:
            total += cpu_seconds(child)
        except OSError:
            pass
    return total


def children_of(parent: int) -> list[int]:
    """Live child processes of `parent`."""
    try:
        with open(f"/proc/{parent}/task/{parent}/children") as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


def cpu_pressure() -> float | None:
    """Share of the last 10 s in which some runnable task waited for a CPU (PSI), in %."""
    try:
        with open("/proc/pressure/cpu") as pressure:
            return float(pressure.readline().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy so far, over all cores (/proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def load_average() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


def raise_open_files_limit(wanted: int) -> int:
    """Raise the soft RLIMIT_NOFILE towards `wanted`, capped by the hard limit; children inherit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft
