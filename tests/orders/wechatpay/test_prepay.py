"""wechat_prepay: the JSAPI prepay order at a stand-in WeChat Pay, and wx.requestPayment's args."""

import base64

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from rest_framework.test import APIClient

from notifications.models import Alert
from orders.models import Order, OrderStatus
from orders.wechatpay.client import WechatPayError
from orders.wechatpay.errors import OrderNotPayable, PayerUnknown, WechatNotConfigured
from orders.wechatpay.models import WechatIdentity
from orders.wechatpay.services import wechat_prepay

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def wechat_customer(customer):
    WechatIdentity.objects.create(user=customer, openid=OPENID)
    return customer


def pay_sign_verifies(public_key, appid: str, params: dict) -> bool:
    message = (
        f"{appid}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    ).encode()
    try:
        public_key.verify(
            base64.b64decode(params["paySign"]), message, padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return False
    return True


def test_prepay_answers_request_payment_args_signed_by_the_merchant(
    wechat_settings, wechat_server, wechat_keys, wechat_customer, order
):
    params = wechat_prepay(order)

    sent, prepay_id = wechat_server.state.prepays[order.number]
    assert params == {
        "timeStamp": params["timeStamp"],
        "nonceStr": params["nonceStr"],
        "package": f"prepay_id={prepay_id}",
        "signType": "RSA",
        "paySign": params["paySign"],
    }
    assert pay_sign_verifies(
        wechat_keys.merchant.public_key(), wechat_settings.WECHATPAY_APPID, params
    )


def test_prepay_charges_the_orders_amount_to_the_customers_openid(
    wechat_settings, wechat_server, wechat_customer, order
):
    wechat_prepay(order)

    sent, _ = wechat_server.state.prepays[order.number]
    assert (
        sent["out_trade_no"],
        sent["amount"]["total"],
        sent["payer"]["openid"],
        sent["notify_url"],
    ) == (order.number, 3800, OPENID, wechat_settings.WECHATPAY_NOTIFY_URL)


def test_a_paysign_does_not_verify_for_another_app(
    wechat_settings, wechat_keys, wechat_customer, order
):
    params = wechat_prepay(order)

    assert not pay_sign_verifies(wechat_keys.merchant.public_key(), "wx0000000000000000", params)


def test_an_order_already_paid_cannot_be_prepaid(wechat_settings, wechat_customer, order):
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.TO_BE_CONFIRMED)
    order.refresh_from_db()

    with pytest.raises(OrderNotPayable):
        wechat_prepay(order)


def test_a_customer_who_never_logged_in_through_wechat_cannot_prepay(wechat_settings, order):
    with pytest.raises(PayerUnknown):
        wechat_prepay(order)


def test_prepay_needs_the_merchant_key(wechat_settings, wechat_customer, order):
    wechat_settings.WECHATPAY_MERCHANT_KEY = ""

    with pytest.raises(WechatNotConfigured):
        wechat_prepay(order)


def test_a_wechat_pay_refusal_is_raised_with_its_code(
    wechat_settings, wechat_server, wechat_customer, order
):
    wechat_server.state.pay_failure = (429, "FREQUENCY_LIMITED", "频率超限")

    with pytest.raises(WechatPayError) as caught:
        wechat_prepay(order)

    assert (caught.value.status, caught.value.code) == (429, "FREQUENCY_LIMITED")


def test_login_prepay_and_notify_pay_the_order_end_to_end(
    wechat_settings, wechat_server, wechatpay, dish
):
    wechat_server.state.codes["code-1"] = OPENID
    token = APIClient().post("/api/auth/wechat/", {"code": "code-1"}, format="json").json()
    customer = APIClient()
    customer.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    created = customer.post(
        "/api/orders/",
        {"items": [{"dish": dish.pk, "quantity": 2}], "address": "1 Road"},
        format="json",
    ).json()
    order = Order.objects.get(pk=created["id"])
    wechat_prepay(order)

    body = wechatpay.body(
        wechatpay.transaction(number=order.number, total=order.amount, payer={"openid": OPENID})
    )
    response = APIClient().post(
        "/api/payments/wechat/notify/",
        data=body,
        content_type="application/json",
        **wechatpay.headers(body),
    )

    assert response.status_code == 204
    order.refresh_from_db()
    assert order.status == OrderStatus.TO_BE_CONFIRMED
    assert list(Alert.objects.values_list("kind", flat=True)) == [1]
