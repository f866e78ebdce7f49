"""Sampling profiles of a server process with py-spy, summarised as the top frames."""

import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path


def py_spy() -> str | None:
    """Path of the py-spy executable (next to this Python or on PATH), None if not installed."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def record_start(pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    """Sample `pid` for `seconds` into a raw (collapsed stacks) file; None without py-spy."""
    exe = py_spy()
    if exe is None:
        return None
    argv = [
        exe,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        "100",
        "--format",
        "raw",
        "--nonblocking",
        "--output",
        str(out),
    ]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def dump(pid: int, out: Path) -> None:
    """Write the current Python stacks of `pid` to `out` (best effort)."""
    exe = py_spy()
    if exe is None:
        return
    with open(out, "w") as text:
        subprocess.run(
            [exe, "dump", "--pid", str(pid)],
            stdout=text,
            stderr=subprocess.STDOUT,
            timeout=30,
            check=False,
        )


def top_frames(raw: Path, count: int = 15) -> dict:
    """The frames holding most samples: by own time (leaf) and by total time (anywhere on stack)."""
    own: Counter = Counter()
    total: Counter = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        weight = int(number)
        frames = [_function(frame) for frame in stack.split(";")]
        samples += weight
        own[frames[-1]] += weight
        for frame in set(frames):
            total[frame] += weight

    def share(counter: Counter) -> list[tuple[str, float]]:
        # Frames on nearly every stack (the event loop, the entry point) say nothing: skip them.
        ranked = [(f, n) for f, n in counter.most_common() if n < 0.9 * samples]
        return [(frame, round(100 * n / samples, 1)) for frame, n in ranked[:count]]

    if not samples:
        return {"samples": 0, "own_pct": [], "total_pct": []}
    return {"samples": samples, "own_pct": share(own), "total_pct": share(total)}


def _function(frame: str) -> str:
    """`name (path/file.py:123)` -> `name (path/file.py)`: lines of one function count together."""
    head, colon, line = frame.rpartition(":")
    return f"{head})" if colon and line.rstrip(")").isdigit() else frame


class Profiler:
    """py-spy on one process for a timed part: samples throughout, one stack dump halfway."""

    def __init__(self, pid: int, stem: Path):
        self.pid = pid
        self.raw = stem.with_name(f"{stem.name}-{pid}.raw")
        self.dump_path = stem.with_name(f"{stem.name}-dump-{pid}.txt")
        self.recorder = None
        self.dumper = None

    def start(self, seconds: float, limit_s: float) -> None:
        """Sample until `stop()` (`limit_s` at most); dump the stacks after `seconds` / 2."""
        self.recorder = record_start(self.pid, limit_s, self.raw)
        if self.recorder is not None:
            self.dumper = threading.Timer(seconds / 2, dump, (self.pid, self.dump_path))
            self.dumper.start()

    def stop(self) -> None:
        """End the sampling now (py-spy writes what it has on SIGINT)."""
        if self.recorder is not None and self.recorder.poll() is None:
            self.recorder.send_signal(signal.SIGINT)

    def finish(self) -> dict | None:
        """Wait for py-spy and summarise its samples (None when py-spy is missing or failed)."""
        if self.recorder is None:
            return None
        self.stop()
        self.dumper.join(60)
        try:
            self.recorder.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.recorder.kill()
            self.recorder.wait()
        if not self.raw.exists():
            return None
        return {**top_frames(self.raw), "file": str(self.raw), "dump": str(self.dump_path)}
