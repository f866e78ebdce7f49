"""Run a scenario against the reference server, the real stack, or both in one sitting.

    python -m bench.run --scenario broadcast --sockets 1000 --processes 2 --rate 20 --seconds 10
    python -m bench.run --target takeout --sockets 100
    python -m bench.run --scenario customers --sockets 10000 --rate 100

Prints one row per target and writes bench/results/<timestamp>.json. See bench/README.md.
"""

import argparse
import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import procs, report, stack, stats
from . import profile as profiling
from .accounting import CpuWindow, PeakWatch
from .loadgen import ClientPool, WorkerPlan
from .serverlog import LogWindow
from .targets import SCENARIOS, TARGETS, Target

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MAX_SOCKETS = 20_000
MAX_EVENTS = 100_000


def parse_args(argv=None) -> argparse.Namespace:
    """The command line, with every count and duration bounded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="broadcast")
    parser.add_argument("--target", choices=["reference", "takeout", "both"], default="both")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2, help="server processes")
    parser.add_argument("--rate", type=float, default=20.0, help="events raised per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the timed part")
    parser.add_argument("--clients", type=int, default=4, help="load generator processes")
    parser.add_argument("--drain", type=float, default=30.0, help="max wait after the last event")
    parser.add_argument(
        "--quiet", type=float, default=10.0, help="stop draining once nothing arrived for this long"
    )
    parser.add_argument("--connect-timeout", type=float, default=180.0)
    parser.add_argument(
        "--connect-concurrency", type=int, default=100, help="handshakes in flight, all clients"
    )
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="before each target, wait up to this many seconds for the machine to be idle",
    )
    parser.add_argument(
        "--subprotocol", default=None, help="offer this WebSocket subprotocol (e.g. takeout.v1)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the first server process of each target during the timed part",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sockets <= MAX_SOCKETS:
        parser.error(f"--sockets must be 1..{MAX_SOCKETS}")
    if not 1 <= args.processes <= 16 or not 1 <= args.clients <= 32:
        parser.error("--processes must be 1..16 and --clients 1..32")
    if not 0 < args.rate * args.seconds <= MAX_EVENTS:
        parser.error(f"--rate x --seconds must be 1..{MAX_EVENTS} events")
    return args


def split(urls: list[str], parts: int) -> list[list[str]]:
    """Deal the socket URLs round-robin to the client processes."""
    return [urls[i::parts] for i in range(parts) if urls[i::parts]]


async def raise_events(target: Target, first: int, count: int, rate: float) -> list:
    """Raise events first..first+count-1 at `rate` per second; answers in order (None = failed)."""
    loop = asyncio.get_running_loop()

    async def one(index: int):
        try:
            return await target.raise_event(index)
        except (OSError, TimeoutError) as exc:
            print(f"  event {index}: {exc!r}", file=sys.stderr)
            return None

    start = loop.time()
    tasks = []
    for k in range(count):
        delay = start + k / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(first + k)))
    return await asyncio.gather(*tasks)


async def drain(pool: ClientPool, first: int, last: int, expected: int, args) -> float:
    """Wait until the sockets hold `expected` timed frames, nothing arrives, or time runs out."""
    started = time.monotonic()
    seen, changed = -1, started
    while time.monotonic() - started < args.drain:
        received, _ = await asyncio.to_thread(pool.count, first, last)
        if received >= expected:
            break
        if received != seen:
            seen, changed = received, time.monotonic()
        elif time.monotonic() - changed > args.quiet:
            break
        await asyncio.sleep(0.25)
    return time.monotonic() - started


async def warm_up(target: Target, pool: ClientPool, warmups: int, open_sockets: int) -> dict:
    """Raise the warm-up events and wait (30 s at most) until every open socket has them."""
    if not warmups:
        return {}
    answers = [await target.raise_event(i) for i in range(warmups)]
    started = time.monotonic()
    received = 0
    while time.monotonic() - started < 30:
        received, _ = await asyncio.to_thread(pool.count, 0, warmups)
        if received >= open_sockets * warmups:
            break
        await asyncio.sleep(0.1)
    return {
        "statuses": [a.status for a in answers],
        "received": received,
        "seconds": round(time.monotonic() - started, 2),
    }


async def wait_for_quiet(limit_s: float, pressure_pct: float = 25.0) -> float:
    """Wait (at most `limit_s`) until CPU pressure over the last 10 s is below `pressure_pct`."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        pressure = procs.cpu_pressure()
        if pressure is None or pressure < pressure_pct:
            break
        await asyncio.sleep(1)
    return time.monotonic() - started


async def measure(target: Target, args, log_dir: Path) -> dict:
    """Start the target, connect the sockets, raise the timed events, and sum up."""
    scenario = SCENARIOS[args.scenario]
    waited = await wait_for_quiet(args.wait_quiet) if args.wait_quiet else 0.0
    events = round(args.rate * args.seconds)
    first = scenario.warmup
    print(f"[{target.name}] starting {args.processes} server processes", flush=True)
    await target.start()
    print(f"[{target.name}] preparing {events} events for {args.sockets} sockets", flush=True)
    plan = await target.prepare(scenario, args.sockets, first + events)
    servers = target.server_pids
    load_before = procs.load_average()
    pressure_before = procs.cpu_pressure()
    rss_before = sum(procs.rss_kb(pid) for pid in servers)
    plans = [
        WorkerPlan(
            urls=urls,
            keys=plan.keys,
            key_pattern=scenario.key_pattern,
            require_pattern=scenario.require_pattern,
            stamp_pattern=scenario.stamp_pattern,
            subprotocols=[args.subprotocol] if args.subprotocol else None,
            concurrency=max(1, args.connect_concurrency // args.clients),
        )
        for urls in split(plan.urls, args.clients)
    ]
    pool = ClientPool(plans)
    try:
        print(f"[{target.name}] connecting {args.sockets} sockets", flush=True)
        connected, errors, connect_s = await asyncio.to_thread(
            pool.wait_connected, args.connect_timeout
        )
        await asyncio.sleep(2)
        rss_after = sum(procs.rss_kb(pid) for pid in servers)
        resources = {
            "server_threads_connected": [procs.threads(pid) for pid in servers],
            "db_connections_connected": target.database_connections(),
        }
        _, open_sockets = await asyncio.to_thread(pool.count, 0, 0)
        if errors:
            print(f"[{target.name}] {len(errors)} sockets failed to connect: {_tally(errors)}")
        warm = await warm_up(target, pool, first, open_sockets)
        await asyncio.sleep(0.5)
        print(
            f"[{target.name}] {connected} connected ({open_sockets} open) in {connect_s:.1f} s;"
            f" raising {events} events at {args.rate}/s",
            flush=True,
        )
        cpu = CpuWindow(
            servers=servers,
            clients=pool.pids,
            redis=stack.redis_pid(target.redis_url),
            postgres=stack.postgres_main_pid() if target.name == "takeout" else None,
        )
        profiler = None
        if args.profile:
            profiler = profiling.Profiler(servers[0], log_dir / f"py-spy-{target.name}")
            profiler.start(args.seconds, args.seconds + args.drain + 5)
        peaks = PeakWatch(servers=servers, connections=target.database_connections)
        server_logs = LogWindow(list(target.children.log_paths))
        cpu.start()
        peaks.start()
        sent = await raise_events(target, first, events, args.rate)
        ok = sum(1 for answer in sent if answer is not None and 200 <= answer.status < 300)
        # Unanswered requests may still raise their alerts: wait for those frames too.
        hoped = ok + sum(1 for answer in sent if answer is not None and answer.status == 0)
        expected_now = (
            hoped * (open_sockets if plan.recipients is None else 1) if open_sockets else 0
        )
        drained_s = await drain(pool, first, first + events, expected_now, args)
        usage = cpu.stop()
        slow_gc = server_logs.slow_collections()
        resources.update(await peaks.stop())
        if profiler is not None:
            profiler.stop()
        pressure_end = procs.cpu_pressure()
        rss_end = sum(procs.rss_kb(pid) for pid in servers)
        resources["server_threads_end"] = [procs.threads(pid) for pid in servers]
        resources["db_connections_end"] = target.database_connections()
        logs = await asyncio.to_thread(pool.stop)
    finally:
        pool.terminate()
    figures = stats.deliveries(logs=logs, first=first, sent=sent, recipients=plan.recipients)
    figures["after_created_ms"] = stats.after_created(logs=logs, first=first, stamps=pool.stamps)
    written = [a.written_at for a in sent if a is not None]
    span = (max(written) - min(written)) if len(written) > 1 else 0.0
    result = {
        "target": target.name,
        "scenario": scenario.name,
        "sockets": args.sockets,
        "sockets_connected": connected,
        "connect_errors": _tally(errors),
        "connect_s": round(connect_s, 2),
        "server_processes": args.processes,
        "events_sent": events,
        "events_ok": ok,
        "events_per_s": round((ok - 1) / span, 2) if span else None,
        "raise": stats.answer_times(sent),
        "warmup": warm,
        **figures,
        "drain_s": round(drained_s, 2),
        "rss_kb_before": rss_before,
        "rss_kb_connected": rss_after,
        "rss_kb_end": rss_end,
        **resources,
        "rss_kb_per_socket": round((rss_after - rss_before) / connected, 1) if connected else None,
        **usage,
        "cpu_us_per_delivery": round(1e6 * usage["server_cpu_s"] / figures["delivered"], 1)
        if figures["delivered"]
        else None,
        "slow_collections": slow_gc,
        "waited_for_quiet_s": round(waited, 1),
        "load_average_before": load_before,
        "cpu_pressure_pct_before": pressure_before,
        "cpu_pressure_pct_end": pressure_end,
    }
    if profiler is not None:
        result["profile"] = await asyncio.to_thread(profiler.finish)
    return result


def _tally(errors: list[str]) -> dict:
    counts: dict[str, int] = {}
    for error in errors:
        counts[error] = counts.get(error, 0) + 1
    return counts


async def run(args) -> dict:
    """Measure each chosen target in turn, each with fresh servers, and stop them all after."""
    stamp = report.timestamp()
    log_dir = RESULTS_DIR / "logs" / stamp
    log_dir.mkdir(parents=True, exist_ok=True)
    names = ["reference", "takeout"] if args.target == "both" else [args.target]
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    results, failures = [], []
    for name in names:
        target = TARGETS[name](processes=args.processes, log_dir=log_dir, redis_url=redis_url)
        try:
            results.append(await measure(target, args, log_dir))
        except (OSError, RuntimeError, TimeoutError, subprocess.SubprocessError) as exc:
            # One target failing to start or run must not lose the other's figures.
            print(f"[{name}] failed: {exc!r} (server logs in {log_dir})", file=sys.stderr)
            failures.append({"target": name, "error": repr(exc)})
        finally:
            target.stop()
    document = {
        "started": stamp,
        "machine": report.machine(),
        "args": vars(args),
        "results": results,
        "failures": failures,
        "logs": str(log_dir),
    }
    reference = next((r for r in results if r["target"] == "reference"), None)
    takeout = next((r for r in results if r["target"] == "takeout"), None)
    if reference and takeout and reference["latency_ms"]["p99"] and takeout["latency_ms"]["p99"]:
        document["p99_ratio"] = round(
            takeout["latency_ms"]["p99"] / reference["latency_ms"]["p99"], 2
        )
    path = report.write_json(RESULTS_DIR, stamp, document)
    print()
    print(
        f"scenario {args.scenario}: {args.sockets} sockets, {args.processes} processes, "
        f"{args.rate:g}/s for {args.seconds:g} s"
    )
    print(report.table(results))
    for failure in failures:
        print(f"{failure['target']}: failed: {failure['error']}")
    for result in results:
        statuses = result["raise"]["statuses"]
        if set(statuses) - {"200", "201"}:
            print(
                f"{result['target']}: raising requests answered {statuses}; frames of unanswered"
                f" requests delivered anyway: {result['delivered_unanswered']}"
            )
    for result in results:
        created, answer = result["after_created_ms"], result["raise"]["answer_ms"]
        if created["p50"] is not None:
            print(
                f"{result['target']}: alert createdAt -> frame p50 {created['p50']} "
                f"p99 {created['p99']} ms; raising request answered p50 {answer['p50']} "
                f"p99 {answer['p99']} ms"
            )
    for result in results:
        slow = result["slow_collections"]
        if slow["count"]:
            print(
                f"{result['target']}: {slow['count']} garbage collections over 100 ms in the"
                f" timed part (longest {slow['max_ms']} ms, by generation {slow['by_generation']})"
            )
    for result in results:
        if result["other_processes_cpu_pct"] and result["other_processes_cpu_pct"] > 20:
            print(
                f"note: other processes used {result['other_processes_cpu_pct']}% of a core "
                f"during the {result['target']} run; its figures are disturbed"
            )
    for result in results:
        profile = result.get("profile")
        if profile:
            for kind, label in (("own_pct", "own time"), ("total_pct", "time on stack")):
                print(f"\n{result['target']}, one server process, top frames by {label} (%):")
                for frame, pct in profile[kind]:
                    print(f"  {pct:5.1f}  {frame}")
    print(f"\nresults: {path}")
    return document


def main(argv=None) -> None:
    """Entry point: raise the file limit, turn SIGTERM into a clean stop, run."""
    args = parse_args(argv)
    procs.raise_open_files_limit(2 * args.sockets + 4096)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        document = asyncio.run(run(args))
    except KeyboardInterrupt:
        print("interrupted; servers and clients stopped", file=sys.stderr)
        sys.exit(130)
    if document["failures"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
