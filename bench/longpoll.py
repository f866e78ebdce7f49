"""The long-poll scenario: how soon `GET /api/events/` answers after another process raises.

    python -m bench.longpoll --pollers 200 --rate 20 --seconds 10

Starts the real stack with two daphne processes. `--pollers` customers each keep one long-poll
open on the first process (`GET /api/events/?since=<cursor>&timeout=25`, polling again at once
after each answer); events are raised on the second process by staff confirms, spread over the
customers, at `--rate` per second. Latency runs from the confirm request written to the poll
answer read. Prints delivered / expected, lost, and p50/p90/p99/max; writes
bench/results/<timestamp>-longpoll.json.
"""

import argparse
import asyncio
import signal
import sys
import time

from . import httpclient, report, stats
from .run import RESULTS_DIR, raise_events
from .targets import SCENARIOS, TakeoutTarget, limited, recipient_of

POLL_TIMEOUT_S = 25
SETTLE_S = 3


class Poller:
    """One customer's long-poll loop; notes when each of its confirmed orders was answered."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {"Authorization": f"Token {token}"}
        self.cursor = 0
        self.heard: dict[int, float] = {}  # order id -> monotonic time the answer was read
        self.failures = 0

    async def start(self) -> None:
        """Learn the cursor to poll from (the customer's latest event)."""
        answer = await httpclient.request(
            self.port, "GET", "/api/events/?timeout=0", headers=self.headers
        )
        if answer.status != 200:
            raise RuntimeError(f"first poll: HTTP {answer.status} {answer.body}")
        self.cursor = answer.body["cursor"]

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            path = f"/api/events/?since={self.cursor}&timeout={POLL_TIMEOUT_S}"
            try:
                answer = await httpclient.request(
                    self.port, "GET", path, headers=self.headers, limit_s=POLL_TIMEOUT_S + 5
                )
            except OSError:
                self.failures += 1
                await asyncio.sleep(0.1)
                continue
            if answer.status != 200:
                self.failures += 1
                await asyncio.sleep(0.1)
                continue
            for event in answer.body["events"]:
                if event.get("status") == "confirmed":
                    self.heard.setdefault(event["orderId"], answer.answered_at)
            self.cursor = answer.body["cursor"]


async def measure(args) -> dict:
    target = TakeoutTarget(
        processes=2,
        log_dir=RESULTS_DIR / "logs" / f"{report.timestamp()}-longpoll",
        redis_url=f"redis://127.0.0.1:6379/{args.redis_db}",
    )
    target.log_dir.mkdir(parents=True, exist_ok=True)
    stop = asyncio.Event()
    try:
        print("[longpoll] starting 2 server processes", flush=True)
        await target.start()
        events = round(args.rate * args.seconds)
        target.scenario = SCENARIOS["customers"]
        dish = await target.dish_id()
        tokens = await target.customers_create(args.pollers)
        recipients = [recipient_of(i, args.pollers) for i in range(events)]
        print(f"[longpoll] preparing {events} paid orders for {args.pollers} customers", flush=True)
        target.orders = await limited(
            [lambda i=i: target.order_create(i, tokens[recipients[i]], dish) for i in range(events)]
        )
        paid = await limited([lambda i=i: target.notify(i) for i in range(events)])
        if any(answer.status != 200 for answer in paid):
            raise RuntimeError("some orders could not be paid")
        poll_port, raise_port = target.ws_ports
        pollers = [Poller(poll_port, token) for token in tokens]
        await limited([poller.start for poller in pollers])
        loops = [asyncio.ensure_future(poller.run(stop)) for poller in pollers]
        # Let every first poll authenticate, attach and read before the timed part.
        await asyncio.sleep(SETTLE_S)
        print(f"[longpoll] raising {events} events at {args.rate}/s on the other process")
        target.ws_ports = [raise_port]  # confirms go to the process the polls are not on
        sent = await raise_events(target, 0, events, args.rate)
        deadline = time.monotonic() + 10
        expected = {
            int(target.orders[i]["id"]): (answer, recipients[i])
            for i, answer in enumerate(sent)
            if answer is not None and answer.status == 200
        }
        while time.monotonic() < deadline:
            if all(order_id in pollers[r].heard for order_id, (_, r) in expected.items()):
                break
            await asyncio.sleep(0.1)
        stop.set()
        latencies = [
            pollers[r].heard[order_id] - answer.written_at
            for order_id, (answer, r) in expected.items()
            if order_id in pollers[r].heard
        ]
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        return {
            "scenario": "longpoll",
            "pollers": args.pollers,
            "events_sent": events,
            "events_ok": len(expected),
            "delivered": len(latencies),
            "lost": len(expected) - len(latencies),
            "poll_failures": sum(p.failures for p in pollers),
            "latency_ms": stats.summarize_latencies(latencies),
            "raise": stats.answer_times(sent),
        }
    finally:
        target.stop()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pollers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--redis-db", type=int, default=12)
    args = parser.parse_args(argv)
    if not 1 <= args.pollers <= 2000 or not 0 < args.rate * args.seconds <= 10_000:
        parser.error("--pollers must be 1..2000 and --rate x --seconds 1..10000")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = asyncio.run(measure(args))
    stamp = report.timestamp()
    document = {"started": stamp, "machine": report.machine(), "args": vars(args), **result}
    path = report.write_json(RESULTS_DIR, f"{stamp}-longpoll", document)
    latency = result["latency_ms"]
    print(
        f"\nlong-poll, {args.pollers} pollers on one process, {args.rate:g} events/s for"
        f" {args.seconds:g} s raised on the other:\n"
        f"  delivered {result['delivered']}/{result['events_ok']}, lost {result['lost']},"
        f" poll failures {result['poll_failures']}\n"
        f"  event raised -> poll answered: p50 {latency['p50']} p90 {latency['p90']}"
        f" p99 {latency['p99']} max {latency['max']} ms"
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
