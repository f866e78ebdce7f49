"""The printed table and the JSON file of a run."""

import json
import os
import platform
from datetime import datetime
from pathlib import Path

COLUMNS = [
    ("target", 9),
    ("sockets", 11),
    ("alerts", 9),
    ("alerts/s", 8),
    ("delivered", 19),
    ("loss%", 6),
    ("dups", 5),
    ("p50ms", 8),
    ("p90ms", 8),
    ("p99ms", 8),
    ("maxms", 8),
    ("connect_s", 9),
    ("KB/sock", 7),
    ("us/deliv", 8),
    ("p99/ref", 7),
]


def machine() -> dict:
    """Where the numbers came from."""
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def _cell(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def row(result: dict, reference_p99: float | None) -> list[str]:
    """One table row for one target's result."""
    latency = result["latency_ms"]
    ratio = None
    if reference_p99 and latency["p99"] is not None and result["target"] != "reference":
        ratio = latency["p99"] / reference_p99
    return [
        result["target"],
        f"{result['sockets_connected']}/{result['sockets']}",
        f"{result['events_ok']}/{result['events_sent']}",
        _cell(result["events_per_s"]),
        f"{result['delivered']}/{result['expected']}",
        _cell(result["loss_pct"], 2),
        _cell(result["duplicates"]),
        _cell(latency["p50"]),
        _cell(latency["p90"]),
        _cell(latency["p99"]),
        _cell(latency["max"]),
        _cell(result["connect_s"], 2),
        _cell(result["rss_kb_per_socket"]),
        _cell(result["cpu_us_per_delivery"]),
        _cell(ratio, 2),
    ]


def table(results: list[dict]) -> str:
    """The result rows under a header, aligned."""
    reference = next((r for r in results if r["target"] == "reference"), None)
    reference_p99 = reference["latency_ms"]["p99"] if reference else None
    lines = [[name for name, _ in COLUMNS]] + [row(r, reference_p99) for r in results]
    widths = [max(width, *(len(line[i]) for line in lines)) for i, (_, width) in enumerate(COLUMNS)]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in lines
    )


def write_json(directory: Path, stamp: str, document: dict) -> Path:
    """Write the run's document to `<directory>/<stamp>.json`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stamp}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


def timestamp() -> str:
    """A file-name-safe UTC timestamp."""
    return datetime.now().astimezone().strftime("%Y%m%dT%H%M%S%z")
