"""Play customers and the payment provider against a running server, so alerts arrive."""

import json
import secrets
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from orders.models import Dish
from orders.services import order_create
from orders.signing import sign_notify


def post(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    """POST and return (status, JSON body); HTTP errors are answers too."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def signed_notify_request(order, transaction_id: str) -> tuple[bytes, dict]:
    """A notify body and headers signed with PAYMENT_NOTIFY_SECRET (contract section 4)."""
    body = json.dumps(
        {
            "out_trade_no": order.number,
            "transaction_id": transaction_id,
            "trade_state": "SUCCESS",
            "amount": {"total": order.amount},
        }
    ).encode()
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    return body, {
        "Content-Type": "application/json",
        "X-Pay-Timestamp": timestamp,
        "X-Pay-Nonce": nonce,
        "X-Pay-Signature": sign_notify(settings.PAYMENT_NOTIFY_SECRET, timestamp, nonce, body),
    }


class Command(BaseCommand):
    help = "Create orders, pay them through the signed notify endpoint and urge some of them."

    def add_arguments(self, parser):
        parser.add_argument("--server", default="http://127.0.0.1:8000")
        parser.add_argument("--orders", type=int, default=5)
        parser.add_argument("--interval", type=float, default=3.0, help="seconds between orders")
        parser.add_argument("--urge-every", type=int, default=2, help="urge every Nth order")
        parser.add_argument("--customer", default="customer")

    def handle(self, *args, server, orders, interval, urge_every, customer, **options):
        user = get_user_model().objects.filter(username=customer).first()
        dish = Dish.objects.filter(is_active=True).first()
        if user is None or dish is None:
            raise CommandError("run `python manage.py seed_demo` first")
        token, _ = Token.objects.get_or_create(user=user)
        for index in range(1, orders + 1):
            order = order_create(
                customer=user,
                items=[{"dish": dish.pk, "quantity": 1 + index % 3}],
                address="演示路 1 号",
                remark="simulate",
            )
            body, headers = signed_notify_request(order, f"sim-{secrets.token_hex(8)}")
            status, answer = post(f"{server}/api/payments/notify/", body, headers)
            self.stdout.write(f"order {order.number} paid: {status} {answer}")
            if urge_every and index % urge_every == 0:
                status, answer = post(
                    f"{server}/api/orders/{order.pk}/reminder/",
                    b"",
                    {"Authorization": f"Token {token.key}"},
                )
                self.stdout.write(f"order {order.number} urged: {status} {answer}")
            if index < orders:
                time.sleep(interval)
