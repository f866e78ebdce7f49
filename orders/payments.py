"""How a customer's client starts a payment: WeChat Pay when configured, else the sandbox."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

SANDBOX_COMMAND = "python manage.py pay_sandbox {number}"


def payment_request(order) -> dict:
    """The answer to "I want to pay this order": the provider's prepay data, or sandbox steps."""
    expires_at = order.created_at + timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES)
    common = {
        "orderId": order.pk,
        "number": order.number,
        "amount": order.amount,
        "expiresAt": expires_at.isoformat(),
    }
    # Imported here: orders.wechatpay.services pays orders through orders.services, which
    # imports this module.
    from orders.wechatpay.config import load_config
    from orders.wechatpay.services import wechat_prepay

    if load_config().pay_configured:
        return {"mode": "wechat", **common, "wechat": wechat_prepay(order)}
    return {
        "mode": "sandbox",
        **common,
        "notify": {
            "url": reverse("payment-notify"),
            "command": SANDBOX_COMMAND.format(number=order.number),
            "body": {
                "out_trade_no": order.number,
                "transaction_id": "<any unique id>",
                "trade_state": "SUCCESS",
                "amount": {"total": order.amount},
            },
            "signature": (
                "X-Pay-Timestamp, X-Pay-Nonce and X-Pay-Signature: lower-case hex "
                "HMAC-SHA256 of timestamp + \\n + nonce + \\n + body + \\n, keyed with "
                "PAYMENT_NOTIFY_SECRET (held by the server, never sent to clients)"
            ),
        },
    }
