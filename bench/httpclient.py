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
    """Status, parsed JSON body (or None), monotonic times of request written and answer read."""

    status: int
    body: object
    written_at: float
    answered_at: float


async def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict | None = None,
    limit_s: float = 30.0,
) -> Response:
    """Send one request to 127.0.0.1:`port` and read the whole answer."""
    return await asyncio.wait_for(_request(port, method, path, body, headers or {}), limit_s)


async def _request(port, method, path, body, headers) -> Response:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Connection: close",
            f"Content-Length: {len(body)}",
        ]
        if body:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        written_at = time.monotonic()
        raw = await reader.read()
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
    return Response(status, parsed, written_at, answered_at)


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
