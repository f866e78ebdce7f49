"""How a customer's client starts a payment: WeChat Pay when configured, else the sandbox."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

SANDBOX_COMMAND = "python manage.py pay_sandbox {number}"


def _wechat_prepay():
    """`orders.wechatpay.wechat_prepay` when that package is present and configured, else None.

    The import is guarded so that the sandbox keeps working where WeChat Pay is not installed.
    """
    try:
        from orders.wechatpay import config, wechat_prepay
    except ImportError:
        return None
    return wechat_prepay if config.is_configured() else None


def payment_request(order) -> dict:
    """The answer to "I want to pay this order": the provider's prepay data, or sandbox steps."""
    expires_at = order.created_at + timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES)
    common = {
        "orderId": order.pk,
        "number": order.number,
        "amount": order.amount,
        "expiresAt": expires_at.isoformat(),
    }
    prepay = _wechat_prepay()
    if prepay is not None:
        return {"mode": "wechat", **common, "wechat": prepay(order)}
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
