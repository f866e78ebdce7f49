"""One WebSocket frame built once, written straight to each daphne socket.

A broadcast frame is the same bytes for every page (server frames are not masked), so the
fan-out builds it once per alert. Handing it to daphne the ASGI way would re-encode it, frame it
again in autobahn and queue it in Twisted, which registers the socket for writability, waits a
loop turn, writes, and unregisters it: two epoll changes and a trip through Twisted's callback
wrappers for every page, most of the cost of a delivery. `SocketWriter` writes the frame to the
socket at once when nothing is queued before it, as asyncio's transports do, and hands anything
else to Twisted, so frames keep their order and a slow reader is buffered exactly as before.
"""

from __future__ import annotations

import functools
import json
import struct

from autobahn.websocket.protocol import WebSocketProtocol
from daphne.server import Server
from twisted.internet.tcp import Connection

STATE_OPEN = WebSocketProtocol.STATE_OPEN


def encode(frame: dict) -> str:
    """Compact JSON, encoded once per frame and shared by every socket it goes to."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def text_frame(text: str) -> bytes:
    """A final, unmasked WebSocket text frame carrying `text` (RFC 6455 section 5.2)."""
    payload = text.encode()
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x81, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, length)
    else:
        header = struct.pack("!BBQ", 0x81, 127, length)
    return header + payload


class SocketWriter:
    """Writes ready-made frames to the TCP socket behind one daphne WebSocket connection."""

    __slots__ = ("protocol", "transport")

    def __init__(self, protocol: WebSocketProtocol):
        self.protocol = protocol
        self.transport = protocol.transport

    @classmethod
    def for_send(cls, send) -> SocketWriter | None:
        """The writer behind a daphne ASGI `send`, or None for any other server (tests too)."""
        server = getattr(getattr(send, "func", None), "__self__", None)
        if not (isinstance(send, functools.partial) and isinstance(server, Server)):
            return None
        protocol = send.args[0] if send.args else None
        if not isinstance(protocol, WebSocketProtocol):
            return None
        if not isinstance(protocol.transport, Connection) or protocol.websocket_extensions_in_use:
            return None  # TLS or compression: frames must go through autobahn
        return cls(protocol)

    def write(self, frame: bytes) -> bool:
        """Write the frame; False when the connection is not open (nothing was written)."""
        protocol, transport = self.protocol, self.transport
        if protocol.state != STATE_OPEN or transport.disconnecting:
            return False
        if (
            protocol.send_queue
            or transport._tempDataLen
            or len(transport.dataBuffer) > transport.offset
        ):
            transport.write(frame)  # behind queued bytes: keep the order
            return True
        try:
            sent = transport.socket.send(frame)
        except BlockingIOError:
            sent = 0
        except OSError:
            transport.write(frame)  # let Twisted see the error and close the connection
            return True
        if sent < len(frame):
            transport.write(frame[sent:])
        return True
