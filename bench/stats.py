"""Turn what the sockets received into the figures of one result row."""

import time
from array import array
from collections import Counter
from datetime import datetime


def percentile(ordered: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (None when empty)."""
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summarize_latencies(values_s: list[float]) -> dict:
    """p50/p90/p99/max in milliseconds."""
    ordered = sorted(values_s)
    figures = {"p50": 0.5, "p90": 0.9, "p99": 0.99, "max": 1.0}
    return {
        name: None if percentile(ordered, q) is None else round(percentile(ordered, q) * 1000, 1)
        for name, q in figures.items()
    }


def deliveries(*, logs: list[tuple], first: int, sent: list, recipients: list[int] | None) -> dict:
    """Loss, duplicates and latency over the timed events `first..`, from per-socket logs.

    `sent[k]` is the answer to raising event `first + k` (None if it failed to send); only events
    answered with a 2xx are expected on their sockets.
    """
    ok = {
        first + k: answer.written_at
        for k, answer in enumerate(sent)
        if answer is not None and 200 <= answer.status < 300
    }
    # Written but never answered: the server may have raised the alert all the same. Such
    # frames are not expected (no loss if missing) but count, with their latency, if they come.
    unanswered = {
        first + k: answer.written_at
        for k, answer in enumerate(sent)
        if answer is not None and answer.status == 0
    }
    expected_per_socket = Counter(recipients[i] for i in ok) if recipients is not None else None
    expected = delivered = duplicates = unexpected = other = unanswered_delivered = 0
    latencies: list[float] = []
    start = min(ok.values(), default=0.0)
    by_second: dict[int, list[float]] = {}
    close_codes: Counter = Counter()
    for socket_index, (connected, _error, close_code, other_frames, raw_idx, raw_t) in enumerate(
        logs
    ):
        if not connected:
            continue
        if close_code is not None:
            close_codes[close_code] += 1
        other += other_frames
        if expected_per_socket is None:
            expected += len(ok)
        else:
            expected += expected_per_socket.get(socket_index, 0)
        indexes, times = array("i"), array("d")
        indexes.frombytes(raw_idx)
        times.frombytes(raw_t)
        seen = set()
        for index, at in zip(indexes, times, strict=True):
            if index < first:
                continue
            written = ok.get(index, unanswered.get(index))
            if written is None or (recipients is not None and recipients[index] != socket_index):
                unexpected += 1
            elif index in seen:
                duplicates += 1
            else:
                seen.add(index)
                if index in ok:
                    delivered += 1
                else:
                    unanswered_delivered += 1
                latencies.append(at - written)
                by_second.setdefault(int(written - start), []).append(at - written)
    return {
        "expected": expected,
        "delivered": delivered,
        "lost": expected - delivered,
        "loss_pct": round(100 * (expected - delivered) / expected, 2) if expected else None,
        "duplicates": duplicates,
        "delivered_unanswered": unanswered_delivered,
        "unexpected": unexpected,
        "other_frames": other,
        "closed_early": dict(close_codes),
        "latency_ms": summarize_latencies(latencies),
        "latency_ms_by_second": [
            {"second": second, **summarize_latencies(values)}
            for second, values in sorted(by_second.items())
        ],
    }


def answer_times(sent: list) -> dict:
    """How the raising requests fared: status counts and answer time percentiles (ms)."""
    statuses = Counter(
        ("no answer" if answer.status == 0 else str(answer.status)) if answer else "not sent"
        for answer in sent
    )
    waits = [
        answer.answered_at - answer.written_at
        for answer in sent
        if answer is not None and answer.answered_at is not None
    ]
    return {"statuses": dict(statuses), "answer_ms": summarize_latencies(waits)}


def after_created(*, logs: list[tuple], first: int, stamps: dict[int, str]) -> dict:
    """Latency from the server's `createdAt` of each alert to its frames (ms), the fan-out part.

    `createdAt` is wall-clock time and receive times are monotonic: both clocks are
    machine-wide, so one offset converts between them.
    """
    offset = time.time() - time.monotonic()
    created = {}
    for index, stamp in stamps.items():
        try:
            created[index] = datetime.fromisoformat(stamp).timestamp() - offset
        except ValueError:
            continue
    values = []
    for connected, _error, _code, _other, raw_idx, raw_t in logs:
        if not connected:
            continue
        indexes, times = array("i"), array("d")
        indexes.frombytes(raw_idx)
        times.frombytes(raw_t)
        values += [
            at - created[i]
            for i, at in zip(indexes, times, strict=True)
            if i >= first and i in created
        ]
    return summarize_latencies(values)
