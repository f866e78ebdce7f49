"""WeChat played for real: generated RSA keys and APIv3 key, notifies signed and encrypted the
way WeChat Pay does, and a stand-in WeChat server on loopback."""

import base64
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MCHID = "1900000109"
APPID = "wx8888888888888888"
APPSECRET = "test-appsecret"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092025112400000000000001"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
NOTIFY_URL = "https://shop.example.com/api/payments/wechat/notify/"


def _pem_private(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem_public(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(key, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verifies(public_key, signature: str, message: bytes) -> bool:
    try:
        public_key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Keys:
    """WeChat Pay's platform key pair, the merchant's API key pair and the APIv3 key."""

    platform: rsa.RSAPrivateKey
    merchant: rsa.RSAPrivateKey
    apiv3_key: str

    @property
    def platform_public_pem(self) -> str:
        return _pem_public(self.platform)

    @property
    def merchant_private_pem(self) -> str:
        return _pem_private(self.merchant)


@pytest.fixture(scope="session")
def wechat_keys() -> Keys:
    return Keys(
        platform=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        merchant=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        apiv3_key=secrets.token_hex(16),  # 32 ASCII bytes, as the merchant platform sets it
    )


class WechatPayPlayer:
    """Builds notifies exactly as WeChat Pay sends them, and lets a test spoil any part."""

    def __init__(self, keys: Keys):
        self.keys = keys

    def transaction(self, *, number: str, total: int, **changes) -> dict:
        transaction = {
            "mchid": MCHID,
            "appid": APPID,
            "out_trade_no": number,
            "transaction_id": "4200001234" + secrets.token_hex(9)[:18],
            "trade_type": "JSAPI",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "attach": "",
            "success_time": "2026-11-24T12:00:00+08:00",
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {
                "total": total,
                "payer_total": total,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        transaction.update(changes)
        return transaction

    def resource(self, transaction: dict, *, key: str | None = None) -> dict:
        nonce = secrets.token_urlsafe(9)[:12]
        plaintext = json.dumps(transaction, ensure_ascii=False).encode()
        aead = AESGCM((key or self.keys.apiv3_key).encode())
        ciphertext = aead.encrypt(nonce.encode(), plaintext, b"transaction")
        return {
            "original_type": "transaction",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": "transaction",
            "nonce": nonce,
        }

    def body(
        self, transaction: dict | None = None, *, resource: dict | None = None, **changes
    ) -> bytes:
        notify = {
            "id": "EV-2018022511223320873",
            "create_time": "2026-11-24T12:00:01+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": resource if resource is not None else self.resource(transaction),
        }
        notify.update(changes)
        return json.dumps(notify, ensure_ascii=False).encode()

    def signed_headers(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        serial: str = PUBLIC_KEY_ID,
        signature: str | None = None,
        key=None,
    ) -> dict:
        """The `Wechatpay-*` headers of a notify signed with the platform key."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": serial,
            "Wechatpay-Signature": signature or rsa_sign(key or self.keys.platform, message),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def headers(self, body: bytes, **options) -> dict:
        """The same headers, spelled for Django's test client."""
        return {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in self.signed_headers(body, **options).items()
        }


@pytest.fixture
def wechatpay(wechat_keys) -> WechatPayPlayer:
    return WechatPayPlayer(wechat_keys)


@dataclass
class StandInState:
    """What the stand-in knows and saw: login codes, prepay orders, received requests."""

    keys: Keys
    codes: dict = field(default_factory=dict)  # js_code -> openid, or errcode int
    used_codes: set = field(default_factory=set)
    prepays: dict = field(default_factory=dict)  # out_trade_no -> (body, prepay_id)
    requests: list = field(default_factory=list)
    pay_failure: tuple | None = None  # (HTTP status, code, message) forced on the next prepay
    sign_answers_with: rsa.RSAPrivateKey | None = None


ERRMSG = {
    40029: "invalid code",
    40163: "code been used",
    45011: "api minute-quota reach limit",
    40226: "high risk user",
    -1: "system error",
}


class StandInHandler(BaseHTTPRequestHandler):
    """Answers like api.weixin.qq.com and api.mch.weixin.qq.com for the calls the shop makes."""

    server_version = "stand-in"

    def log_message(self, *args):  # keep test output clean
        pass

    @property
    def state(self) -> StandInState:
        return self.server.state

    def _send(self, status: int, payload: dict, *, signed: bool = False):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if signed:
            stamp, nonce = str(int(time.time())), secrets.token_hex(16)
            key = self.state.sign_answers_with or self.state.keys.platform
            self.send_header("Wechatpay-Timestamp", stamp)
            self.send_header("Wechatpay-Nonce", nonce)
            self.send_header("Wechatpay-Serial", PUBLIC_KEY_ID)
            self.send_header(
                "Wechatpay-Signature", rsa_sign(key, f"{stamp}\n{nonce}\n".encode() + body + b"\n")
            )
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.state.requests.append(("GET", url.path, query))
        if url.path != "/sns/jscode2session":
            return self._send(404, {"errcode": 404, "errmsg": "not found"})
        if query.get("appid") != APPID or query.get("grant_type") != "authorization_code":
            return self._send(200, {"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != APPSECRET:
            return self._send(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
        code = query.get("js_code")
        if code in self.state.used_codes:  # a code works once
            return self._send(200, {"errcode": 40163, "errmsg": ERRMSG[40163]})
        found = self.state.codes.pop(code, 40029)
        if isinstance(found, int):
            return self._send(200, {"errcode": found, "errmsg": ERRMSG.get(found, "error")})
        self.state.used_codes.add(code)
        return self._send(200, {"openid": found, "session_key": "tiihtNczf5v6AKRyjwEUhQ=="})

    def _authorization_error(self, body: bytes) -> str | None:
        """WeChat Pay's check of the merchant's request signature; None when it holds."""
        header = self.headers.get("Authorization", "")
        scheme, _, params = header.partition(" ")
        if scheme != "WECHATPAY2-SHA256-RSA2048":
            return "unknown authorization scheme"
        fields = dict(part.split("=", 1) for part in params.split(",") if "=" in part)
        fields = {name: value.strip('"') for name, value in fields.items()}
        if fields.get("mchid") != MCHID or fields.get("serial_no") != MERCHANT_SERIAL:
            return "mchid or serial_no unknown"
        if abs(time.time() - int(fields.get("timestamp", "0"))) > 300:
            return "timestamp expired"
        message = (
            (
                f"{self.command}\n{self.path}\n{fields['timestamp']}\n"
                f"{fields.get('nonce_str', '')}\n"
            ).encode()
            + body
            + b"\n"
        )
        if not rsa_verifies(
            self.state.keys.merchant.public_key(), fields.get("signature", ""), message
        ):
            return "signature does not verify"
        return None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.state.requests.append(("POST", self.path, body))
        if self.path != "/v3/pay/transactions/jsapi":
            return self._send(404, {"code": "NOT_FOUND", "message": "no such API"})
        problem = self._authorization_error(body)
        if problem:
            return self._send(401, {"code": "SIGN_ERROR", "message": f"签名错误: {problem}"})
        if self.state.pay_failure:
            status, code, message = self.state.pay_failure
            return self._send(status, {"code": code, "message": message})
        order = json.loads(body)
        if (order.get("appid"), order.get("mchid")) != (APPID, MCHID):
            return self._send(
                400, {"code": "APPID_MCHID_NOT_MATCH", "message": "appid和mchid不匹配"}
            )
        total = order.get("amount", {}).get("total")
        if not isinstance(total, int) or total <= 0 or not order.get("payer", {}).get("openid"):
            return self._send(400, {"code": "PARAM_ERROR", "message": "参数错误"})
        number = order.get("out_trade_no")
        previous = self.state.prepays.get(number)
        if previous and previous[0] != order:
            return self._send(403, {"code": "OUT_TRADE_NO_USED", "message": "商户订单号重复"})
        prepay_id = previous[1] if previous else "wx" + secrets.token_hex(16)
        self.state.prepays[number] = (order, prepay_id)
        return self._send(200, {"prepay_id": prepay_id}, signed=True)


@pytest.fixture
def wechat_server(wechat_keys):
    """A stand-in WeChat on a free loopback port, for one test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInHandler)
    server.state = StandInState(keys=wechat_keys)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def wechat_settings(settings, wechat_keys, wechat_server):
    """Every WeChat setting filled in, both base URLs pointing at the stand-in."""
    settings.WECHATPAY_MCHID = MCHID
    settings.WECHATPAY_APPID = APPID
    settings.WECHATPAY_APIV3_KEY = wechat_keys.apiv3_key
    settings.WECHATPAY_PUBLIC_KEY_ID = PUBLIC_KEY_ID
    settings.WECHATPAY_PUBLIC_KEY = wechat_keys.platform_public_pem
    settings.WECHATPAY_MERCHANT_KEY = wechat_keys.merchant_private_pem
    settings.WECHATPAY_MERCHANT_SERIAL = MERCHANT_SERIAL
    settings.WECHATPAY_NOTIFY_URL = NOTIFY_URL
    settings.WECHAT_APPSECRET = APPSECRET
    settings.WECHATPAY_API_BASE = wechat_server.base_url
    settings.WECHAT_API_BASE = wechat_server.base_url
    return settings
