"""The order timers' worker (after sky-take-out's OrderTask): run it next to the servers."""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from orders.services import orders_cancel_unpaid, orders_complete_long_delivering

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Cancel orders unpaid for ORDER_PAYMENT_TIMEOUT_MINUTES and complete orders delivering "
        "for ORDER_DELIVERY_AUTOCOMPLETE_HOURS, every TIMER_INTERVAL_SECONDS. Safe to run in "
        "several processes at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one tick and exit")
        parser.add_argument(
            "--interval", type=float, default=None, help="seconds between ticks (setting)"
        )

    def handle(self, *args, once, interval, **options):
        interval = settings.TIMER_INTERVAL_SECONDS if interval is None else interval
        stop = threading.Event()
        if not once:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            self.stdout.write(f"order timers running every {interval:g} s")
        while True:
            self.tick()
            if once or stop.wait(interval):
                return

    def tick(self) -> None:
        """One pass of both timers; a failure (database down) is logged and retried next tick."""
        close_old_connections()
        try:
            cancelled = orders_cancel_unpaid()
            completed = orders_complete_long_delivering()
        except Exception:
            logger.exception("order timers failed; retrying next tick")
            return
        if cancelled or completed:
            self.stdout.write(f"cancelled {cancelled} unpaid, completed {completed} delivering")
