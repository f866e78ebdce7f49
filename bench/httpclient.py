"""A tiny HTTP/1.1 client on asyncio streams that notes when a request was written.

One connection per request (`Connection: close`), loopback only: the timestamp taken right after
the request bytes are flushed is the start of every latency the benchmark reports.
"""

import asyncio
import json
import time
from dataclasses import dataclass


@dataclass
class Response:
    """Status (0: no answer), parsed JSON body (or None), monotonic times of the request written
    and of the answer read (None without an answer)."""

    status: int
    body: object
    written_at: float
    answered_at: float | None


async def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict | None = None,
    limit_s: float = 30.0,
) -> Response:
    """Send one request to 127.0.0.1:`port` and read the whole answer.

    A request that was written but not answered within `limit_s` comes back with status 0 and
    no `answered_at`: the server may still act on it. Failing to connect or write raises.
    """
    started = time.monotonic()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), limit_s)
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Connection: close",
            f"Content-Length: {len(body)}",
        ]
        if body:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await asyncio.wait_for(writer.drain(), limit_s)
        written_at = time.monotonic()
        try:
            raw = await asyncio.wait_for(reader.read(), max(0.1, limit_s - (written_at - started)))
        except (TimeoutError, ConnectionError):
            return Response(0, None, written_at, None)
        answered_at = time.monotonic()
    finally:
        writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    if b"transfer-encoding: chunked" in head.lower():
        content = _dechunk(content)
    try:
        parsed = json.loads(content) if content else None
    except ValueError:
        parsed = None
    return Response(status, parsed, written_at, answered_at if status else None)


async def post_json(port: int, path: str, payload, *, headers: dict | None = None) -> Response:
    """POST `payload` as JSON."""
    return await request(port, "POST", path, body=json.dumps(payload).encode(), headers=headers)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return bytes(out)
