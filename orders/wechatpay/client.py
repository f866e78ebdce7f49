"""The two WeChat calls the shop makes: jscode2session (login) and the JSAPI prepay order."""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .config import WechatConfig
from .crypto import authorization_header
from .verify import SignatureError, SignedHeaders, verify_signature

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
JSAPI_PATH = "/v3/pay/transactions/jsapi"
CODE2SESSION_PATH = "/sns/jscode2session"


class WechatError(Exception):
    """A WeChat call failed; `code` is WeChat's error code (or ours for transport faults)."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class WechatLoginError(WechatError):
    """jscode2session answered an errcode (40029 invalid code, 45011 rate limit, ...)."""


class WechatPayError(WechatError):
    """WeChat Pay refused or failed a request (SIGN_ERROR, PARAM_ERROR, SYSTEM_ERROR, ...)."""

    def __init__(self, code: str, message: str, status: int | None = None):
        self.status = status
        super().__init__(code, message)


@dataclass(frozen=True)
class Session:
    """Who a `wx.login` code belongs to."""

    openid: str
    unionid: str = ""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: object
    body: bytes


def _open(url: str, *, data: bytes | None = None, headers: dict | None = None) -> Answer:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise WechatError("BAD_BASE_URL", "WeChat base URLs must be http(s)")
    # S310: the scheme is checked above, and the bases come from settings, never from a request.
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return Answer(exc.code, exc.headers, exc.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise WechatError("UNREACHABLE", f"WeChat could not be reached: {exc}") from exc


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise WechatError("BAD_ANSWER", "WeChat answered something that is not a JSON object")
    return data


def code_to_session(config: WechatConfig, code: str) -> Session:
    """Exchange a `wx.login` code for the user's openid at jscode2session."""
    query = urllib.parse.urlencode(
        {
            "appid": config.appid,
            "secret": config.appsecret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
    )
    answer = _open(f"{config.api_base}{CODE2SESSION_PATH}?{query}")
    if answer.status >= 500:
        raise WechatLoginError("-1", f"WeChat answered HTTP {answer.status}")
    data = _json(answer.body)
    # Success carries no errcode at all, or errcode 0.
    errcode = data.get("errcode") or 0
    if errcode != 0:
        raise WechatLoginError(str(errcode), str(data.get("errmsg", "")))
    openid = data.get("openid")
    if not isinstance(openid, str) or not openid:
        raise WechatError("BAD_ANSWER", "jscode2session answered no openid")
    unionid = data.get("unionid")
    return Session(openid=openid, unionid=unionid if isinstance(unionid, str) else "")


def jsapi_prepay(
    config: WechatConfig, *, out_trade_no: str, description: str, total: int, openid: str
) -> str:
    """Create the prepay order at WeChat Pay and return its `prepay_id`.

    The answer's signature is checked like a notify's, so a stand-in on the path cannot
    hand the customer someone else's payment.
    """
    body = json.dumps(
        {
            "appid": config.appid,
            "mchid": config.mchid,
            "description": description,
            "out_trade_no": out_trade_no,
            "notify_url": config.notify_url,
            "amount": {"total": total, "currency": "CNY"},
            "payer": {"openid": openid},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    authorization = authorization_header(
        config.merchant_key,
        mchid=config.mchid,
        serial_no=config.merchant_serial,
        method="POST",
        path=JSAPI_PATH,
        body=body,
    )
    answer = _open(
        f"{config.pay_api_base}{JSAPI_PATH}",
        data=body,
        headers={
            "Authorization": authorization,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "takeout-wechatpay",
        },
    )
    if answer.status >= 300:
        try:
            data = _json(answer.body)
        except WechatError:
            data = {}
        raise WechatPayError(
            str(data.get("code") or f"HTTP_{answer.status}"),
            str(data.get("message") or "WeChat Pay refused the request"),
            status=answer.status,
        )
    try:
        verify_signature(
            SignedHeaders.from_headers(answer.headers),
            answer.body,
            public_key=config.public_key,
            public_key_id=config.public_key_id,
        )
    except SignatureError as exc:
        logger.warning("WeChat Pay prepay answer failed verification: %s", exc)
        raise WechatPayError("BAD_SIGNATURE", f"the prepay answer is not signed: {exc}") from exc
    prepay_id = _json(answer.body).get("prepay_id")
    if not isinstance(prepay_id, str) or not prepay_id:
        raise WechatPayError("BAD_ANSWER", "WeChat Pay answered no prepay_id")
    return prepay_id
