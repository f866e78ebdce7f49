"""Checks that a message really comes from WeChat Pay: the `Wechatpay-*` signature headers."""

import base64
import binascii
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

# WeChat Pay rejects answers older than five minutes and asks merchants to do the same.
MAX_CLOCK_SKEW_SECONDS = 300
# WeChat Pay sends deliberately wrong signatures with this prefix to see whether a merchant
# really verifies; accepting one would show that it does not.
SIGNATURE_PROBE_PREFIX = "WECHATPAY/SIGNTEST/"


class SignatureError(Exception):
    """The message is not provably from WeChat Pay; the text says which check failed."""


@dataclass(frozen=True)
class SignedHeaders:
    """The four `Wechatpay-*` headers of a notify or an API answer."""

    timestamp: str
    nonce: str
    serial: str
    signature: str

    @classmethod
    def from_headers(cls, headers) -> "SignedHeaders":
        """Pick the headers from any case-insensitive mapping (Django's, http.client's)."""
        return cls(
            timestamp=headers.get("Wechatpay-Timestamp") or "",
            nonce=headers.get("Wechatpay-Nonce") or "",
            serial=headers.get("Wechatpay-Serial") or "",
            signature=headers.get("Wechatpay-Signature") or "",
        )


def verify_signature(
    signed: SignedHeaders,
    body: bytes,
    *,
    public_key: RSAPublicKey,
    public_key_id: str,
    now: float | None = None,
) -> None:
    """Raise SignatureError unless `body` is signed by the configured WeChat Pay public key.

    The message is `timestamp\\nnonce\\nbody\\n` over the raw bytes as received.
    """
    if not (signed.timestamp and signed.nonce and signed.serial and signed.signature):
        raise SignatureError("missing Wechatpay signature headers")
    if signed.signature.startswith(SIGNATURE_PROBE_PREFIX):
        raise SignatureError("signature probe refused")
    if signed.serial != public_key_id:
        raise SignatureError("unknown Wechatpay-Serial")
    try:
        timestamp = int(signed.timestamp)
    except ValueError:
        raise SignatureError("Wechatpay-Timestamp is not a number") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > MAX_CLOCK_SKEW_SECONDS:
        raise SignatureError("Wechatpay-Timestamp outside the 300 s window")
    try:
        signature = base64.b64decode(signed.signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("Wechatpay-Signature is not base64") from None
    message = f"{signed.timestamp}\n{signed.nonce}\n".encode() + body + b"\n"
    try:
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("Wechatpay-Signature does not verify") from None
