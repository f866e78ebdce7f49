"""Play the payment provider in the sandbox: send the signed notify that pays one order."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from orders.management.commands.simulate import post, signed_notify_request
from orders.models import Order


class Command(BaseCommand):
    help = (
        "Pay an order through the real signed notify endpoint of a running server, as the "
        "payment provider would (contract section 4)."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="the order number, from POST /api/orders/<id>/pay/")
        parser.add_argument("--server", default="http://127.0.0.1:8000")

    def handle(self, *args, number, server, **options):
        order = Order.objects.filter(number=number).first()
        if order is None:
            raise CommandError(f"no order {number}")
        body, headers = signed_notify_request(order, f"sandbox-{secrets.token_hex(8)}")
        status, answer = post(f"{server.rstrip('/')}/api/payments/notify/", body, headers)
        if status != 200:
            raise CommandError(f"notify refused: {status} {answer}")
        self.stdout.write(f"order {number} paid: {status} {answer}")
