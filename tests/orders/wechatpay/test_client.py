"""The WeChat calls, made over HTTP to a stand-in that checks and answers like WeChat."""

import socket

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from orders.wechatpay.client import (
    WechatError,
    WechatLoginError,
    WechatPayError,
    code_to_session,
    jsapi_prepay,
)
from orders.wechatpay.config import load_config


def test_a_login_code_is_exchanged_for_the_openid(wechat_settings, wechat_server):
    wechat_server.state.codes["code-1"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

    session = code_to_session(load_config(), "code-1")

    assert session.openid == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    method, path, query = wechat_server.state.requests[-1]
    assert (method, path) == ("GET", "/sns/jscode2session")
    assert query["js_code"] == "code-1"
    assert query["grant_type"] == "authorization_code"


@pytest.mark.parametrize("errcode", [40029, 40163, 45011, 40226, -1])
def test_a_jscode2session_errcode_is_raised_with_its_code(wechat_settings, wechat_server, errcode):
    wechat_server.state.codes["code-1"] = errcode

    with pytest.raises(WechatLoginError) as caught:
        code_to_session(load_config(), "code-1")

    assert caught.value.code == str(errcode)


def test_a_wrong_appsecret_is_raised_as_wechat_reports_it(wechat_settings, wechat_server):
    wechat_settings.WECHAT_APPSECRET = "wrong"

    with pytest.raises(WechatLoginError) as caught:
        code_to_session(load_config(), "code-1")

    assert caught.value.code == "40125"


def test_an_unreachable_wechat_is_a_transport_error(wechat_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    wechat_settings.WECHAT_API_BASE = f"http://127.0.0.1:{port}"

    with pytest.raises(WechatError) as caught:
        code_to_session(load_config(), "code-1")

    assert caught.value.code == "UNREACHABLE"


def prepay(**changes):
    arguments = {
        "out_trade_no": "20261124000001",
        "description": "订单 20261124000001",
        "total": 3800,
        "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    }
    return jsapi_prepay(load_config(), **{**arguments, **changes})


def test_prepay_sends_the_order_signed_and_answers_the_prepay_id(wechat_settings, wechat_server):
    prepay_id = prepay()

    order, answered = wechat_server.state.prepays["20261124000001"]
    assert prepay_id == answered
    assert order == {
        "appid": wechat_settings.WECHATPAY_APPID,
        "mchid": wechat_settings.WECHATPAY_MCHID,
        "description": "订单 20261124000001",
        "out_trade_no": "20261124000001",
        "notify_url": wechat_settings.WECHATPAY_NOTIFY_URL,
        "amount": {"total": 3800, "currency": "CNY"},
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    }


def test_prepay_of_the_same_order_again_answers_the_same_prepay_id(wechat_settings):
    assert prepay() == prepay()


def test_prepay_signed_with_a_wrong_merchant_key_is_refused_by_wechat_pay(wechat_settings):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wechat_settings.WECHATPAY_MERCHANT_KEY = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

    with pytest.raises(WechatPayError) as caught:
        prepay()

    assert (caught.value.status, caught.value.code) == (401, "SIGN_ERROR")


def test_prepay_with_a_wrong_merchant_serial_is_refused_by_wechat_pay(wechat_settings):
    wechat_settings.WECHATPAY_MERCHANT_SERIAL = "0000"

    with pytest.raises(WechatPayError) as caught:
        prepay()

    assert caught.value.code == "SIGN_ERROR"


def test_a_wechat_pay_error_answer_is_raised_with_its_code(wechat_settings, wechat_server):
    wechat_server.state.pay_failure = (500, "SYSTEM_ERROR", "系统异常，请稍后重试")

    with pytest.raises(WechatPayError) as caught:
        prepay()

    assert (caught.value.status, caught.value.code, caught.value.message) == (
        500,
        "SYSTEM_ERROR",
        "系统异常，请稍后重试",
    )


def test_a_prepay_answer_not_signed_by_wechat_pay_is_refused(
    wechat_settings, wechat_server, wechat_keys
):
    wechat_server.state.sign_answers_with = wechat_keys.merchant

    with pytest.raises(WechatPayError) as caught:
        prepay()

    assert caught.value.code == "BAD_SIGNATURE"
