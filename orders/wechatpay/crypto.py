"""WeChat Pay API v3 cryptography: resource decryption and the merchant's RSA signatures."""

import base64
import secrets
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"


class DecryptError(Exception):
    """The resource could not be decrypted: wrong key, tampered data or a bad encoding."""


def decrypt_resource(
    apiv3_key: bytes, *, ciphertext: str, nonce: str, associated_data: str
) -> bytes:
    """Decrypt an AEAD_AES_256_GCM `resource`; the tag covers ciphertext and associated data."""
    try:
        data = base64.b64decode(ciphertext, validate=True)
        return AESGCM(apiv3_key).decrypt(nonce.encode(), data, associated_data.encode())
    except (InvalidTag, ValueError, TypeError) as exc:
        raise DecryptError("the resource does not decrypt with the APIv3 key") from exc


def rsa_sign(key: RSAPrivateKey, message: bytes) -> str:
    """Base64 SHA256-with-RSA (PKCS#1 v1.5) signature, as every v3 signature is."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def new_nonce() -> str:
    """A random 32-character nonce string."""
    return secrets.token_hex(16)


def authorization_header(
    key: RSAPrivateKey,
    *,
    mchid: str,
    serial_no: str,
    method: str,
    path: str,
    body: bytes,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> str:
    """The `Authorization` value of a merchant request; `path` includes any query string."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or new_nonce()
    message = f"{method}\n{path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"
    signature = rsa_sign(key, message)
    return (
        f'{AUTH_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def jsapi_pay_params(
    key: RSAPrivateKey,
    *,
    appid: str,
    prepay_id: str,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> dict:
    """The arguments of `wx.requestPayment` for a prepay id, signed with the merchant key."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or new_nonce()
    package = f"prepay_id={prepay_id}"
    message = f"{appid}\n{timestamp}\n{nonce}\n{package}\n".encode()
    return {
        "timeStamp": timestamp,
        "nonceStr": nonce,
        "package": package,
        "signType": "RSA",
        "paySign": rsa_sign(key, message),
    }
