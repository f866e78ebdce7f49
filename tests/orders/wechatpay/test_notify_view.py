"""POST /api/payments/wechat/notify/ (contract section 4b), fed notifies built like WeChat Pay's."""

import base64

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from rest_framework.test import APIClient

from notifications.models import Alert
from orders.models import Order, OrderStatus

from .conftest import PUBLIC_KEY_ID

URL = "/api/payments/wechat/notify/"


def post(body: bytes, headers: dict):
    return APIClient().post(URL, data=body, content_type="application/json", **headers)


def send(wechatpay, order, **transaction_changes):
    """Post a correctly signed and encrypted notify for `order`."""
    body = wechatpay.body(
        wechatpay.transaction(number=order.number, total=order.amount, **transaction_changes)
    )
    return post(body, wechatpay.headers(body))


def assert_unchanged(order):
    order.refresh_from_db()
    assert (order.status, order.transaction_id, order.paid_at) == (
        OrderStatus.PENDING_PAYMENT,
        None,
        None,
    )
    assert not Alert.objects.exists()


def test_a_valid_notify_marks_the_order_paid_with_one_new_order_alert(
    wechat_settings, wechatpay, order
):
    response = send(wechatpay, order, transaction_id="4200002001202611240000000001")

    assert response.status_code == 204
    order.refresh_from_db()
    assert (order.status, order.transaction_id) == (
        OrderStatus.TO_BE_CONFIRMED,
        "4200002001202611240000000001",
    )
    assert list(Alert.objects.values_list("kind", "order_id")) == [(1, order.pk)]


def test_a_repeated_notify_is_acknowledged_and_raises_no_second_alert(
    wechat_settings, wechatpay, order
):
    body = wechatpay.body(wechatpay.transaction(number=order.number, total=order.amount))
    post(body, wechatpay.headers(body))

    repeat = post(body, wechatpay.headers(body))

    assert repeat.status_code == 204
    assert Alert.objects.count() == 1


def test_without_wechat_pay_settings_the_endpoint_is_not_found(settings, wechatpay, order):
    settings.WECHATPAY_MCHID = ""
    body = wechatpay.body(wechatpay.transaction(number=order.number, total=order.amount))

    response = post(body, wechatpay.headers(body))

    assert response.status_code == 404
    assert response.json()["code"] == "FAIL"
    assert_unchanged(order)


def flip_ciphertext_byte(resource: dict) -> dict:
    data = bytearray(base64.b64decode(resource["ciphertext"]))
    data[5] ^= 0x01
    return {**resource, "ciphertext": base64.b64encode(bytes(data)).decode()}


def one_body_byte_changed(w, o, k):
    body = w.body(w.transaction(number=o.number, total=o.amount))
    return body.replace(b'"EV-', b'"EW-'), w.headers(body)


def signed_by(**options):
    def build(w, o, k):
        body = w.body(w.transaction(number=o.number, total=o.amount))
        key = k.merchant if options.get("key") == "merchant" else None
        return body, w.headers(body, **{**options, "key": key})

    return build


def transaction_with(**changes):
    def build(w, o, k):
        fields = {"number": o.number, "total": o.amount, **changes}
        body = w.body(w.transaction(**fields))
        return body, w.headers(body)

    return build


def resource_with(change):
    def build(w, o, k):
        body = w.body(resource=change(w, w.transaction(number=o.number, total=o.amount)))
        return body, w.headers(body)

    return build


PROBE = "WECHATPAY/SIGNTEST/" + base64.b64encode(b"x" * 256).decode()

# part -> (build(wechatpay, order, keys) -> (body, headers), status, words of the message)
TAMPERINGS = {
    "body byte": (one_body_byte_changed, 401, "does not verify"),
    "signature": (signed_by(key="merchant"), 401, "does not verify"),
    "serial": (signed_by(serial=PUBLIC_KEY_ID + "0"), 401, "Serial"),
    "timestamp": (signed_by(timestamp=1_000_000_000), 401, "window"),
    "probe": (signed_by(signature=PROBE), 401, "probe"),
    "mchid": (transaction_with(mchid="1900000110"), 400, "mchid"),
    "appid": (transaction_with(appid="wx0000000000000000"), 400, "appid"),
    "amount": (transaction_with(total=3799), 400, "amount"),
    "ciphertext": (resource_with(lambda w, t: flip_ciphertext_byte(w.resource(t))), 400, "decrypt"),
    "associated data": (
        resource_with(lambda w, t: {**w.resource(t), "associated_data": "certificate"}),
        400,
        "decrypt",
    ),
    "apiv3 key": (resource_with(lambda w, t: w.resource(t, key="k" * 32)), 400, "decrypt"),
    "order number": (transaction_with(number="20990101999999"), 404, "out_trade_no"),
}


@pytest.mark.parametrize("part", TAMPERINGS)
def test_a_notify_with_a_tampered_part_is_refused_and_changes_nothing(
    wechat_settings, wechatpay, wechat_keys, order, part
):
    build, expected_status, reason = TAMPERINGS[part]
    body, headers = build(wechatpay, order, wechat_keys)

    response = post(body, headers)

    assert response.status_code == expected_status
    assert response.json()["code"] == "FAIL"
    assert reason in response.json()["message"]
    assert_unchanged(order)


@pytest.mark.parametrize(
    "header",
    [
        "HTTP_WECHATPAY_SIGNATURE",
        "HTTP_WECHATPAY_SERIAL",
        "HTTP_WECHATPAY_TIMESTAMP",
        "HTTP_WECHATPAY_NONCE",
    ],
)
def test_a_notify_missing_a_signature_header_is_refused(wechat_settings, wechatpay, order, header):
    body = wechatpay.body(wechatpay.transaction(number=order.number, total=order.amount))
    headers = wechatpay.headers(body)
    del headers[header]

    assert post(body, headers).status_code == 401
    assert_unchanged(order)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2, 3]",
        b"[" * 5000 + b"]" * 5000,
        b'{"resource": "plain"}',
        b'{"resource": {"algorithm": "AEAD_AES_128_CBC"}}',
        b'{"resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": 1, "nonce": [], '
        b'"associated_data": null}}',
        '{"id": "\udcff"}'.encode("utf-8", "surrogatepass"),
    ],
    ids=[
        "text",
        "array",
        "deeply nested",
        "resource string",
        "other algorithm",
        "resource types",
        "bad utf-8",
    ],
)
def test_a_signed_but_malformed_body_is_a_400(wechat_settings, wechatpay, order, body):
    response = post(body, wechatpay.headers(body))

    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    assert_unchanged(order)


@pytest.mark.parametrize(
    "transaction",
    [
        b"[" * 5000 + b"]" * 5000,
        b"null",
    ],
    ids=["deeply nested", "not an object"],
)
def test_a_malformed_decrypted_transaction_is_a_400(
    wechat_settings, wechatpay, wechat_keys, order, transaction
):
    resource = wechatpay.resource({})
    ciphertext = AESGCM(wechat_keys.apiv3_key.encode()).encrypt(
        resource["nonce"].encode(), transaction, b"transaction"
    )
    body = wechatpay.body(
        resource={**resource, "ciphertext": base64.b64encode(ciphertext).decode()}
    )

    assert post(body, wechatpay.headers(body)).status_code == 400
    assert_unchanged(order)


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": {"total": "3800"}},
        {"amount": {"total": True}},
        {"amount": 3800},
        {"transaction_id": ""},
        {"out_trade_no": None},
    ],
    ids=[
        "total as text",
        "total as bool",
        "amount as number",
        "empty transaction",
        "no order number",
    ],
)
def test_a_transaction_with_malformed_fields_is_a_400(wechat_settings, wechatpay, order, changes):
    response = send(wechatpay, order, **changes)

    assert response.status_code == 400
    assert_unchanged(order)


def test_a_genuine_notify_of_an_unsuccessful_trade_is_acknowledged_and_changes_nothing(
    wechat_settings, wechatpay, order
):
    response = send(wechatpay, order, trade_state="PAYERROR")

    assert response.status_code == 204
    assert_unchanged(order)


def test_a_notify_for_a_cancelled_order_raises_no_alert(wechat_settings, wechatpay, order):
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)

    response = send(wechatpay, order)

    assert response.status_code == 204
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert not Alert.objects.exists()


def test_the_notify_is_answered_without_a_parsed_body_being_required(
    wechat_settings, wechatpay, order
):
    # WeChat Pay sends application/json; a charset parameter must not matter.
    body = wechatpay.body(wechatpay.transaction(number=order.number, total=order.amount))

    response = APIClient().post(
        URL, data=body, content_type="application/json; charset=utf-8", **wechatpay.headers(body)
    )

    assert response.status_code == 204


def test_a_broken_public_key_setting_is_a_server_error_so_wechat_pay_retries(
    wechat_settings, wechatpay, order
):
    wechat_settings.WECHATPAY_PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nnot a key\n"

    response = send(wechatpay, order)

    assert (response.status_code, response.json()["code"]) == (500, "FAIL")
    assert_unchanged(order)
