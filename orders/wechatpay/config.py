"""WeChat settings, read from Django settings on every use so that a deployment (or a test)
can change them without a restart of the code that holds them."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_WECHATPAY_API_BASE = "https://api.mch.weixin.qq.com"
DEFAULT_WECHAT_API_BASE = "https://api.weixin.qq.com"

# The settings a payment notify needs; the endpoint exists only when all are set.
NOTIFY_SETTINGS = (
    "WECHATPAY_MCHID",
    "WECHATPAY_APPID",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_PUBLIC_KEY_ID",
    "WECHATPAY_PUBLIC_KEY",
)


@dataclass(frozen=True)
class WechatConfig:
    """One snapshot of the WeChat settings; empty strings mean "not set"."""

    mchid: str = ""
    appid: str = ""
    apiv3_key: str = ""
    public_key_id: str = ""
    public_key_pem: str = ""
    merchant_key_pem: str = ""
    merchant_serial: str = ""
    appsecret: str = ""
    notify_url: str = ""
    pay_api_base: str = DEFAULT_WECHATPAY_API_BASE
    api_base: str = DEFAULT_WECHAT_API_BASE

    @property
    def configured(self) -> bool:
        """Whether payment notifies can be verified and decrypted."""
        return all(
            (self.mchid, self.appid, self.apiv3_key, self.public_key_id, self.public_key_pem)
        )

    @property
    def pay_configured(self) -> bool:
        """Whether JSAPI prepay orders can be created (notify settings plus the merchant key)."""
        return self.configured and all(
            (self.merchant_key_pem, self.merchant_serial, self.notify_url)
        )

    @property
    def login_configured(self) -> bool:
        """Whether mini-program logins can be exchanged at jscode2session."""
        return bool(self.appid and self.appsecret)

    @property
    def apiv3_key_bytes(self) -> bytes:
        key = self.apiv3_key.encode()
        if len(key) != 32:
            raise ImproperlyConfigured("WECHATPAY_APIV3_KEY must be exactly 32 bytes.")
        return key

    @property
    def public_key(self) -> RSAPublicKey:
        """The WeChat Pay public key that signs notifies and API answers."""
        return _public_key(self.public_key_pem)

    @property
    def merchant_key(self) -> RSAPrivateKey:
        """The merchant's API private key (apiclient_key.pem) that signs our requests."""
        return _private_key(self.merchant_key_pem)


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, "") or default).strip()


def _pem_text(value: str) -> str:
    """A PEM setting holds either the PEM text itself or the path of a PEM file."""
    if value.startswith("-----BEGIN"):
        # One-line environment variables often carry the line breaks as literal "\n".
        return value.replace("\\n", "\n")
    if not value:
        return value
    path = Path(value)
    if not path.is_file():
        raise ImproperlyConfigured(f"PEM file {value!r} does not exist.")
    return path.read_text()


def load_config() -> WechatConfig:
    """Read the current WeChat settings; a PEM given as a path is read here."""
    return WechatConfig(
        mchid=_setting("WECHATPAY_MCHID"),
        appid=_setting("WECHATPAY_APPID"),
        apiv3_key=_setting("WECHATPAY_APIV3_KEY"),
        public_key_id=_setting("WECHATPAY_PUBLIC_KEY_ID"),
        public_key_pem=_pem_text(_setting("WECHATPAY_PUBLIC_KEY")),
        merchant_key_pem=_pem_text(_setting("WECHATPAY_MERCHANT_KEY")),
        merchant_serial=_setting("WECHATPAY_MERCHANT_SERIAL"),
        appsecret=_setting("WECHAT_APPSECRET"),
        notify_url=_setting("WECHATPAY_NOTIFY_URL"),
        pay_api_base=_setting("WECHATPAY_API_BASE", DEFAULT_WECHATPAY_API_BASE).rstrip("/"),
        api_base=_setting("WECHAT_API_BASE", DEFAULT_WECHAT_API_BASE).rstrip("/"),
    )


# Parsing a PEM costs more than the request it serves; the text itself is the cache key, so a
# rotated key takes effect at once.
@lru_cache(maxsize=4)
def _public_key(pem: str) -> RSAPublicKey:
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise ImproperlyConfigured("WECHATPAY_PUBLIC_KEY is not a PEM public key.") from exc
    if not isinstance(key, RSAPublicKey):
        raise ImproperlyConfigured("WECHATPAY_PUBLIC_KEY is not an RSA key.")
    return key


@lru_cache(maxsize=4)
def _private_key(pem: str) -> RSAPrivateKey:
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "WECHATPAY_MERCHANT_KEY is not an unencrypted PEM private key."
        ) from exc
    if not isinstance(key, RSAPrivateKey):
        raise ImproperlyConfigured("WECHATPAY_MERCHANT_KEY is not an RSA key.")
    return key
