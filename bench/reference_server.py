"""The floor to compare against: plain `websockets` plus one Redis pub/sub subscriber per process.

Admin sockets (`/ws/<client_id>`) all get every alert through `websockets.broadcast()`; customer
sockets (`/ws/customer/<client_id>?token=<customer>`) get that customer's events. Alerts are raised
by a signed POST /api/payments/notify/ on a small HTTP port, like the real stack's. No Django, no
database: the frames have the contract's shape, nothing is stored.

    python -m bench.reference_server --port 9100 --http-port 9200 --redis redis://127.0.0.1:6379/9
"""

import argparse
import asyncio
import hmac
import json
import signal
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import redis.asyncio as aioredis
from websockets.asyncio.server import broadcast, serve
from websockets.exceptions import ConnectionClosed

from .signing import sign_notify

MAX_BODY = 64 * 1024


class Hub:
    """The sockets of one process, and the Redis channels that feed them."""

    def __init__(self, redis_url: str, prefix: str, secret: str):
        self.redis = aioredis.from_url(redis_url)
        # Pub/sub reads sit idle between alerts: no read timeout (redis-py 8 defaults to 5 s).
        self.subscriber = aioredis.from_url(redis_url, socket_timeout=None)
        self.admin_channel = f"{prefix}:admins"
        self.customer_channel = f"{prefix}:customers"
        self.counter = f"{prefix}:ids"
        self.secret = secret
        self.admins = set()
        self.customers: dict[str, set] = {}

    async def handle_socket(self, ws) -> None:
        """Keep one socket registered until it closes; client frames are read and ignored."""
        url = urlsplit(ws.request.path)
        if url.path.startswith("/ws/customer/"):
            customer = parse_qs(url.query).get("token", [""])[0]
            group = self.customers.setdefault(customer, set())
        else:
            group = self.admins
        group.add(ws)
        try:
            async for _ in ws:
                pass
        except ConnectionClosed:
            pass  # the client went away without a closing handshake: nothing to report
        finally:
            group.discard(ws)

    async def relay(self) -> None:
        """The one subscriber of this process: each message goes to every socket it concerns."""
        pubsub = self.subscriber.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.admin_channel, self.customer_channel)
        admin_channel = self.admin_channel.encode()
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            data = message["data"].decode()
            if message["channel"] == admin_channel:
                broadcast(self.admins, data)
            else:
                customer, _, frame = data.partition("\n")
                broadcast(self.customers.get(customer, ()), frame)

    async def raise_alert(self, body: bytes, headers: dict) -> tuple[int, dict]:
        """Check a payment notify's signature and publish its type 1 alert."""
        timestamp = headers.get("x-pay-timestamp", "")
        nonce = headers.get("x-pay-nonce", "")
        expected = sign_notify(self.secret, timestamp, nonce, body)
        if not hmac.compare_digest(expected, headers.get("x-pay-signature", "")):
            return 401, {"code": "FAIL", "message": "signature does not match"}
        try:
            number = json.loads(body)["out_trade_no"]
        except (ValueError, KeyError, TypeError):
            return 400, {"code": "FAIL", "message": "malformed body"}
        alert_id = await self.redis.incr(self.counter)
        frame = {
            "type": 1,
            "orderId": int(number[-6:]) if number[-6:].isdigit() else 0,
            "content": f"订单号：{number}",
            "id": alert_id,
            "orderNumber": number,
            "createdAt": datetime.now(UTC).isoformat(),
        }
        await self.redis.publish(self.admin_channel, json.dumps(frame, ensure_ascii=False))
        return 200, {"code": "SUCCESS"}

    async def raise_customer_event(self, body: bytes) -> tuple[int, dict]:
        """Publish one order event to one customer: `{"customer", "orderId", "status"}`."""
        try:
            event = json.loads(body)
            customer, order_id, status = event["customer"], event["orderId"], event["status"]
        except (ValueError, KeyError, TypeError):
            return 400, {"detail": "malformed body"}
        event_id = await self.redis.incr(self.counter)
        frame = {
            "event": "order",
            "id": event_id,
            "orderId": order_id,
            "status": status,
            "content": f"订单 {order_id} {status}",
        }
        message = f"{customer}\n{json.dumps(frame, ensure_ascii=False)}"
        await self.redis.publish(self.customer_channel, message)
        return 200, {"id": event_id}

    async def handle_http(self, reader, writer) -> None:
        """One HTTP/1.1 request per connection: notify, customer event or health check."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            length = min(int(headers.get("content-length", "0") or 0), MAX_BODY)
            body = await reader.readexactly(length) if length else b""
            if method == "POST" and path == "/api/payments/notify/":
                status, answer = await self.raise_alert(body, headers)
            elif method == "POST" and path == "/events/customer/":
                status, answer = await self.raise_customer_event(body)
            elif path == "/healthz/":
                status, answer = 200, {"status": "ok"}
            else:
                status, answer = 404, {"detail": "not found"}
            payload = json.dumps(answer).encode()
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()


async def serve_forever(port: int, http_port: int, redis_url: str, prefix: str, secret: str):
    """Run the WebSocket and HTTP ports until SIGTERM or SIGINT."""
    hub = Hub(redis_url, prefix, secret)
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.cancel)
    relay = asyncio.create_task(hub.relay())
    http = await asyncio.start_server(hub.handle_http, "127.0.0.1", http_port, backlog=1024)
    async with serve(
        hub.handle_socket,
        "127.0.0.1",
        port,
        compression=None,
        ping_interval=None,
        max_queue=None,
        backlog=4096,
    ):
        try:
            await stop
        except asyncio.CancelledError:
            pass
    http.close()
    relay.cancel()


def main() -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--prefix", default="bench-reference")
    parser.add_argument("--secret", default="dev-notify-secret")
    args = parser.parse_args()
    asyncio.run(serve_forever(args.port, args.http_port, args.redis, args.prefix, args.secret))


if __name__ == "__main__":
    main()
