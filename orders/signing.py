"""The payment notify signature (contract section 4)."""

import hashlib
import hmac


def notify_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """timestamp + "\\n" + nonce + "\\n" + raw body + "\\n", as bytes."""
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign_notify(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of the notify message."""
    message = notify_message(timestamp, nonce, body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, nonce: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of a received signature with the expected one."""
    expected = sign_notify(secret, timestamp, nonce, body).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))
