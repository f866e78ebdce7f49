"""Signed payment notifies, built the way the payment provider sends them (contract section 4)."""

import hashlib
import hmac
import json
import secrets
import time


def sign_notify(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of `timestamp\\nnonce\\nbody\\n` under the notify secret."""
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_notify(secret: str, *, number: str, transaction_id: str, total: int):
    """Body and headers of one SUCCESS notify for order `number` paying `total` cents."""
    body = json.dumps(
        {
            "out_trade_no": number,
            "transaction_id": transaction_id,
            "trade_state": "SUCCESS",
            "amount": {"total": total},
        }
    ).encode()
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(12)
    headers = {
        "X-Pay-Timestamp": timestamp,
        "X-Pay-Nonce": nonce,
        "X-Pay-Signature": sign_notify(secret, timestamp, nonce, body),
    }
    return body, headers
