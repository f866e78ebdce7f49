"""A lean WebSocket client for the load generator: an asyncio protocol, frames parsed by hand.

At 5,000 sockets and 20 alerts a second the load generator reads 100,000 frames a second on the
same two cores as the servers. A full client library costs tens of microseconds per frame
(a queue, a task wake-up and a frame object for each), which made the generator itself the
bottleneck: both servers fell seconds behind. This client does the RFC 6455 handshake, then
parses frames straight out of `data_received` and hands each text payload to a callback, with
no per-frame task or queue. It answers pings (daphne sends one every 20 s) and records the
close code. It is for measuring servers on loopback, not a general client: no TLS, no
extensions, no client-to-server data but pongs and the closing handshake.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
from collections.abc import Callable
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class HandshakeFailed(Exception):
    """The server did not switch protocols; `status` is its HTTP status (0: no answer)."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A final, masked client frame (RFC 6455 section 5.3)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


class FrameReader(asyncio.Protocol):
    """One socket: the handshake, then every text message to `on_message(payload)`."""

    def __init__(self, on_message: Callable[[bytes], None], request: bytes, key: bytes):
        self.on_message = on_message
        self.request = request
        self.expected_accept = base64.b64encode(
            hashlib.sha1(key + GUID, usedforsecurity=False).digest()  # RFC 6455's accept key
        )
        self.buffer = bytearray()
        self.fragments: list[bytes] = []
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self.upgraded = False

    # -- asyncio callbacks ---------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if self.upgraded and not self.buffer and len(data) >= 4 and data[0] == 0x81:
            # The common case: exactly one whole final text frame, unmasked, up to 64 KiB.
            length = data[1]
            if length < 126 and len(data) == 2 + length:
                self.on_message(data[2:])
                return
            if length == 126 and len(data) == 4 + ((data[2] << 8) | data[3]):
                self.on_message(data[4:])
                return
        self.buffer += data
        if not self.upgraded and not self._handshake():
            return
        self._frames()

    def connection_lost(self, exc) -> None:
        if not self.opened.done():
            self.opened.set_exception(HandshakeFailed(0, f"connection lost: {exc!r}"))
        if not self.closed.done():
            self.closed.set_result(self.close_code if self.close_code is not None else 1006)

    # -- parsing -------------------------------------------------------------------------

    def _handshake(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1")
        del self.buffer[: end + 4]
        status_line, *header_lines = head.split("\r\n")
        parts = status_line.split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if status != 101 or headers.get("sec-websocket-accept", "").encode() != (
            self.expected_accept
        ):
            self.opened.set_exception(HandshakeFailed(status, status_line))
            self.transport.close()
            return False
        self.upgraded = True
        self.opened.set_result(headers.get("sec-websocket-protocol"))
        return True

    def _frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length = second & 0x7F
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                (length,) = struct.unpack_from("!H", buffer, 2)
                offset = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                (length,) = struct.unpack_from("!Q", buffer, 2)
                offset = 10
            mask = None
            if second & 0x80:  # servers do not mask, but read it right if one does
                if len(buffer) < offset + 4:
                    return
                mask = bytes(buffer[offset : offset + 4])
                offset += 4
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            if mask is not None:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            self._frame(first & 0x80, first & 0x0F, payload)

    def _frame(self, fin: int, opcode: int, payload: bytes) -> None:
        if opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION):
            if not fin:
                self.fragments.append(payload)
                return
            if self.fragments:
                payload = b"".join(self.fragments) + payload
                self.fragments = []
            self.on_message(payload)
        elif opcode == OP_PING:
            self.transport.write(client_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.transport.write(client_frame(OP_CLOSE, payload[:2]))
            self.transport.close()


async def connect(
    url: str,
    on_message: Callable[[bytes], None],
    *,
    subprotocols: list[str] | None = None,
    limit_s: float = 30.0,
) -> FrameReader:
    """Open `url` (ws://host:port/path?query) and return its protocol once it has switched."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    key = base64.b64encode(os.urandom(16))
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {parts.hostname}:{parts.port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key.decode()}",
        "Sec-WebSocket-Version: 13",
    ]
    if subprotocols:
        lines.append(f"Sec-WebSocket-Protocol: {', '.join(subprotocols)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    loop = asyncio.get_running_loop()

    async def open_and_switch() -> FrameReader:
        _, protocol = await loop.create_connection(
            lambda: FrameReader(on_message, request, key), parts.hostname, parts.port
        )
        await protocol.opened
        return protocol

    return await asyncio.wait_for(open_and_switch(), limit_s)
