"""WeChat actions: accept a payment notify, log a customer in, create a JSAPI payment."""

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from orders.errors import AmountMismatch, OrderNotFound, PaymentConflict
from orders.models import Order, OrderStatus
from orders.services import order_mark_paid
from takeout.parsers import loads_safely

from .client import code_to_session, jsapi_prepay
from .config import load_config
from .crypto import DecryptError, decrypt_resource, jsapi_pay_params
from .errors import (
    CustomerInactive,
    NotifyRejected,
    OrderNotPayable,
    PayerUnknown,
    WechatNotConfigured,
)
from .models import WechatIdentity
from .verify import SignatureError, SignedHeaders, verify_signature

logger = logging.getLogger(__name__)


def _json_object(raw: bytes, what: str) -> dict:
    try:
        data = loads_safely(raw)  # deep nesting is a ValueError here, not a RecursionError
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise NotifyRejected(400, f"{what} is not a JSON object")
    return data


def _transaction_from_notify(config, headers, body: bytes) -> tuple[dict, dict]:
    """Verify and decrypt a notify; answers (notify, transaction) or raises NotifyRejected."""
    try:
        verify_signature(
            SignedHeaders.from_headers(headers),
            body,
            public_key=config.public_key,
            public_key_id=config.public_key_id,
        )
    except SignatureError as exc:
        raise NotifyRejected(401, str(exc)) from exc
    notify = _json_object(body, "the body")
    resource = notify.get("resource")
    if not isinstance(resource, dict) or resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise NotifyRejected(400, "resource is not an AEAD_AES_256_GCM resource")
    parts = [resource.get(name, "") for name in ("ciphertext", "nonce", "associated_data")]
    if not all(isinstance(part, str) for part in parts):
        raise NotifyRejected(400, "resource fields must be strings")
    ciphertext, nonce, associated_data = parts
    try:
        plaintext = decrypt_resource(
            config.apiv3_key_bytes,
            ciphertext=ciphertext,
            nonce=nonce,
            associated_data=associated_data,
        )
    except DecryptError as exc:
        raise NotifyRejected(400, str(exc)) from exc
    return notify, _json_object(plaintext, "the transaction")


def wechat_notify_accept(*, headers, body: bytes):
    """Handle one WeChat Pay notify: the order paid once, or NotifyRejected and nothing changed.

    Answers the core's PaymentOutcome, or None for a genuine notify that reports no payment.
    """
    config = load_config()
    if not config.configured:
        raise WechatNotConfigured("WeChat Pay is not configured")
    notify, paid = _transaction_from_notify(config, headers, body)
    if paid.get("mchid") != config.mchid:
        raise NotifyRejected(400, "mchid is not this merchant's")
    if paid.get("appid") != config.appid:
        raise NotifyRejected(400, "appid is not this shop's")
    if notify.get("event_type") != "TRANSACTION.SUCCESS" or paid.get("trade_state") != "SUCCESS":
        # Genuine but not a payment: acknowledge it, or WeChat Pay repeats it for a day.
        logger.info(
            "WeChat Pay notify %s (%s) needs nothing", notify.get("id"), paid.get("trade_state")
        )
        return None
    number, transaction_id = paid.get("out_trade_no"), paid.get("transaction_id")
    amount = paid.get("amount")
    total = amount.get("total") if isinstance(amount, dict) else None
    if not (
        isinstance(number, str) and number and isinstance(transaction_id, str) and transaction_id
    ):
        raise NotifyRejected(400, "out_trade_no and transaction_id are required")
    if not isinstance(total, int) or isinstance(total, bool):
        raise NotifyRejected(400, "amount.total must be an integer number of fen")
    try:
        return order_mark_paid(number=number, transaction_id=transaction_id, amount=total)
    except OrderNotFound as exc:
        raise NotifyRejected(404, f"unknown out_trade_no {number}") from exc
    except AmountMismatch as exc:
        raise NotifyRejected(400, "amount.total differs from the order's amount") from exc
    except PaymentConflict as exc:
        raise NotifyRejected(400, str(exc)) from exc


def _customer_for(openid: str, unionid: str):
    identity = WechatIdentity.objects.select_related("user").filter(openid=openid).first()
    if identity:
        return identity.user
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=f"wx-{openid}"[:150])
            WechatIdentity.objects.create(user=user, openid=openid, unionid=unionid)
            return user
    except IntegrityError:
        # The same person logged in twice at once; the other request created the customer.
        return WechatIdentity.objects.select_related("user").get(openid=openid).user


def wechat_login(*, code: str) -> str:
    """Exchange a `wx.login` code for this shop's API token, creating the customer once.

    Raises WechatNotConfigured, client.WechatError (with WeChat's errcode) or CustomerInactive.
    """
    config = load_config()
    if not config.login_configured:
        raise WechatNotConfigured("WeChat login is not configured")
    session = code_to_session(config, code)
    user = _customer_for(session.openid, session.unionid)
    if not user.is_active:
        raise CustomerInactive("this account is disabled")
    try:
        with transaction.atomic():
            token, _ = Token.objects.get_or_create(user=user)
    except IntegrityError:
        token = Token.objects.get(user=user)
    return token.key


def wechat_prepay(order: Order) -> dict:
    """Create the order's prepay at WeChat Pay; answers the `wx.requestPayment` arguments.

    Raises WechatNotConfigured, OrderNotPayable, PayerUnknown or client.WechatError.
    """
    config = load_config()
    if not config.pay_configured:
        raise WechatNotConfigured("WeChat Pay is not configured")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(f"order {order.number} is {order.status}")
    identity = WechatIdentity.objects.filter(user_id=order.customer_id).first()
    if identity is None:
        raise PayerUnknown("the customer has no WeChat openid")
    prepay_id = jsapi_prepay(
        config,
        out_trade_no=order.number,
        description=f"外卖订单 {order.number}",
        total=order.amount,
        openid=identity.openid,
    )
    return jsapi_pay_params(config.merchant_key, appid=config.appid, prepay_id=prepay_id)
