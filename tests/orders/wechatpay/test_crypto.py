"""Resource decryption and the merchant's signatures, checked against WeChat's formats."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from orders.wechatpay.crypto import (
    DecryptError,
    authorization_header,
    decrypt_resource,
    jsapi_pay_params,
)


def test_decrypts_a_resource_encrypted_like_wechat_pay(wechatpay, wechat_keys):
    transaction = wechatpay.transaction(number="20261124000001", total=3800)
    resource = wechatpay.resource(transaction)

    plaintext = decrypt_resource(
        wechat_keys.apiv3_key.encode(),
        ciphertext=resource["ciphertext"],
        nonce=resource["nonce"],
        associated_data=resource["associated_data"],
    )

    assert json.loads(plaintext) == transaction


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "associated_data"])
def test_any_changed_resource_part_fails_to_decrypt(wechatpay, wechat_keys, part):
    resource = wechatpay.resource(wechatpay.transaction(number="20261124000001", total=1))
    if part == "ciphertext":
        data = bytearray(base64.b64decode(resource["ciphertext"]))
        data[0] ^= 1
        resource["ciphertext"] = base64.b64encode(bytes(data)).decode()
    else:
        resource[part] = resource[part][:-1] + ("x" if resource[part][-1] != "x" else "y")

    with pytest.raises(DecryptError):
        decrypt_resource(
            wechat_keys.apiv3_key.encode(),
            ciphertext=resource["ciphertext"],
            nonce=resource["nonce"],
            associated_data=resource["associated_data"],
        )


def test_a_wrong_apiv3_key_fails_to_decrypt(wechatpay):
    resource = wechatpay.resource(wechatpay.transaction(number="20261124000001", total=1))

    with pytest.raises(DecryptError):
        decrypt_resource(
            b"0" * 32,
            ciphertext=resource["ciphertext"],
            nonce=resource["nonce"],
            associated_data=resource["associated_data"],
        )


def test_ciphertext_that_is_not_base64_fails_to_decrypt(wechat_keys):
    with pytest.raises(DecryptError):
        decrypt_resource(
            wechat_keys.apiv3_key.encode(),
            ciphertext="%%%",
            nonce="abcdefabcdef",
            associated_data="transaction",
        )


def test_authorization_header_signs_method_path_time_nonce_and_body(wechat_keys):
    body = b'{"amount":{"total":1}}'

    header = authorization_header(
        wechat_keys.merchant,
        mchid="1900000109",
        serial_no="ABC",
        method="POST",
        path="/v3/pay/transactions/jsapi",
        body=body,
        timestamp="1554208460",
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )

    scheme, _, params = header.partition(" ")
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert scheme == "WECHATPAY2-SHA256-RSA2048"
    assert fields == {
        "mchid": '"1900000109"',
        "nonce_str": '"593BEC0C930BF1AFEB40B4A08C8FB242"',
        "signature": fields["signature"],
        "timestamp": '"1554208460"',
        "serial_no": '"ABC"',
    }
    message = (
        b"POST\n/v3/pay/transactions/jsapi\n1554208460\n"
        b"593BEC0C930BF1AFEB40B4A08C8FB242\n" + body + b"\n"
    )
    wechat_keys.merchant.public_key().verify(
        base64.b64decode(fields["signature"].strip('"')),
        message,
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_jsapi_pay_params_are_signed_over_appid_time_nonce_and_package(wechat_keys):
    params = jsapi_pay_params(
        wechat_keys.merchant,
        appid="wx8888888888888888",
        prepay_id="wx201410272009395522657a690389285100",
        timestamp="1414561699",
        nonce="5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    )

    assert params == {
        "timeStamp": "1414561699",
        "nonceStr": "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        "package": "prepay_id=wx201410272009395522657a690389285100",
        "signType": "RSA",
        "paySign": params["paySign"],
    }
    message = (
        b"wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n"
        b"prepay_id=wx201410272009395522657a690389285100\n"
    )
    wechat_keys.merchant.public_key().verify(
        base64.b64decode(params["paySign"]), message, padding.PKCS1v15(), hashes.SHA256()
    )
