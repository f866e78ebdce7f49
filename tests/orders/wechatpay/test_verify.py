"""The `Wechatpay-Signature` check of notifies and API answers."""

import time

import pytest

from orders.wechatpay.verify import SignatureError, SignedHeaders, verify_signature

KEY_ID = "PUB_KEY_ID_0119000001092025112400000000000001"
BODY = b'{"id":"EV-1","resource":{}}'


@pytest.fixture
def check(wechat_keys):
    def check(headers: dict, body: bytes = BODY, now: float | None = None):
        verify_signature(
            SignedHeaders.from_headers(headers),
            body,
            public_key=wechat_keys.platform.public_key(),
            public_key_id=KEY_ID,
            now=now,
        )

    return check


def test_a_correctly_signed_body_verifies(wechatpay, check):
    check(wechatpay.signed_headers(BODY, serial=KEY_ID))


def test_one_changed_body_byte_is_refused(wechatpay, check):
    headers = wechatpay.signed_headers(BODY, serial=KEY_ID)

    with pytest.raises(SignatureError, match="does not verify"):
        check(headers, BODY.replace(b"EV-1", b"EV-2"))


def test_a_signature_by_another_key_is_refused(wechatpay, wechat_keys, check):
    headers = wechatpay.signed_headers(BODY, serial=KEY_ID, key=wechat_keys.merchant)

    with pytest.raises(SignatureError, match="does not verify"):
        check(headers)


def test_a_serial_other_than_the_configured_key_id_is_refused(wechatpay, check):
    with pytest.raises(SignatureError, match="Serial"):
        check(wechatpay.signed_headers(BODY, serial="PUB_KEY_ID_OTHER"))


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_more_than_300_seconds_off_is_refused(wechatpay, check, offset):
    now = time.time()
    headers = wechatpay.signed_headers(BODY, serial=KEY_ID, timestamp=int(now) + offset)

    with pytest.raises(SignatureError, match="window"):
        check(headers, now=int(now))


def test_a_timestamp_within_300_seconds_verifies(wechatpay, check):
    now = int(time.time())

    check(wechatpay.signed_headers(BODY, serial=KEY_ID, timestamp=now - 300), now=now)


def test_a_signature_probe_is_refused(wechatpay, check):
    headers = wechatpay.signed_headers(
        BODY, serial=KEY_ID, signature="WECHATPAY/SIGNTEST/" + "A" * 340
    )

    with pytest.raises(SignatureError, match="probe"):
        check(headers)


@pytest.mark.parametrize(
    "header", ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature"]
)
def test_a_missing_header_is_refused(wechatpay, check, header):
    headers = wechatpay.signed_headers(BODY, serial=KEY_ID)
    del headers[header]

    with pytest.raises(SignatureError, match="missing"):
        check(headers)


def test_a_signature_that_is_not_base64_is_refused(wechatpay, check):
    with pytest.raises(SignatureError, match="base64"):
        check(wechatpay.signed_headers(BODY, serial=KEY_ID, signature="not base64!"))


def test_a_timestamp_that_is_not_a_number_is_refused(wechatpay, check):
    headers = wechatpay.signed_headers(BODY, serial=KEY_ID)
    headers["Wechatpay-Timestamp"] = "soon"

    with pytest.raises(SignatureError, match="number"):
        check(headers)
