"""POST /api/payments/notify/ (contract section 4)."""

import json
import time

import pytest

from notifications.models import Alert
from orders.models import Order
from tests.conftest import notify_body, pay, post_notify, signed_headers

pytestmark = pytest.mark.django_db


def assert_unchanged(order):
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert order.transaction_id is None
    assert Alert.objects.count() == 0


def test_first_success_marks_the_order_paid_with_one_new_order_alert(order):
    response = pay(order, transaction_id="wx-42")

    assert (response.status_code, response.json()) == (200, {"code": "SUCCESS"})
    order.refresh_from_db()
    assert order.status == "to_be_confirmed"
    assert order.transaction_id == "wx-42"
    assert order.paid_at is not None
    assert list(Alert.objects.values_list("kind", "order_id")) == [(1, order.pk)]


def test_repeat_of_a_handled_transaction_answers_success_and_changes_nothing(order):
    pay(order)
    order.refresh_from_db()
    paid_at = order.paid_at

    response = pay(order)

    assert (response.status_code, response.json()) == (200, {"code": "SUCCESS"})
    order.refresh_from_db()
    assert order.paid_at == paid_at
    assert Alert.objects.count() == 1


def test_second_transaction_for_a_paid_order_raises_no_second_alert(order):
    pay(order, transaction_id="wx-1")

    response = pay(order, transaction_id="wx-2")

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.transaction_id == "wx-1"
    assert Alert.objects.count() == 1


def test_forged_signature_is_401(order):
    body = notify_body(order)
    headers = signed_headers(body, secret="not-the-secret")

    response = post_notify(body, headers)

    assert response.status_code == 401
    assert response.json() == {"code": "FAIL", "message": "signature does not match"}
    assert_unchanged(order)


def test_body_changed_after_signing_is_401(order):
    body = notify_body(order)
    headers = signed_headers(body)

    response = post_notify(body.replace(b"SUCCESS", b"SUCCESs"), headers)

    assert response.status_code == 401
    assert_unchanged(order)


@pytest.mark.parametrize("offset", [-301, 301])
def test_timestamp_more_than_300_seconds_off_is_401(order, offset):
    body = notify_body(order)

    response = post_notify(body, signed_headers(body, timestamp=int(time.time()) + offset))

    assert response.status_code == 401
    assert response.json()["message"] == "X-Pay-Timestamp is outside the 300 s window"
    assert_unchanged(order)


def test_reused_nonce_is_401(order, other_customer, dish):
    first = notify_body(order)
    post_notify(first, signed_headers(first, nonce="n-1"))
    second_order = Order.objects.create(
        number="20990101000001", customer=other_customer, amount=100, address="x"
    )
    body = notify_body(second_order, transaction_id="wx-other")

    response = post_notify(body, signed_headers(body, nonce="n-1"))

    assert response.status_code == 401
    assert response.json() == {"code": "FAIL", "message": "nonce already used"}
    second_order.refresh_from_db()
    assert second_order.status == "pending_payment"


@pytest.mark.parametrize(
    "missing", ["HTTP_X_PAY_TIMESTAMP", "HTTP_X_PAY_NONCE", "HTTP_X_PAY_SIGNATURE"]
)
def test_missing_header_is_401(order, missing):
    body = notify_body(order)
    headers = signed_headers(body)
    del headers[missing]

    response = post_notify(body, headers)

    assert response.status_code == 401
    assert response.json()["code"] == "FAIL"
    assert_unchanged(order)


def test_non_numeric_timestamp_is_401(order):
    body = notify_body(order)
    headers = signed_headers(body)
    headers["HTTP_X_PAY_TIMESTAMP"] = "yesterday"

    assert post_notify(body, headers).status_code == 401


def test_amount_different_from_the_order_is_400(order):
    response = pay(order, amount=order.amount - 1)

    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    assert_unchanged(order)


def test_unknown_order_number_is_404(order):
    body = notify_body(order).replace(order.number.encode(), b"20000101999999")

    response = post_notify(body, signed_headers(body))

    assert (response.status_code, response.json()) == (
        404,
        {"code": "FAIL", "message": "unknown order number"},
    )
    assert_unchanged(order)


def body_of(**fields) -> bytes:
    base = {"out_trade_no": "1", "transaction_id": "t", "trade_state": "SUCCESS"}
    return json.dumps({**base, **fields}).encode()


MALFORMED = {
    "not JSON": b"hello",
    "deeply nested": b"[" * 5000 + b"]" * 5000,
    "a list": b"[1, 2]",
    "amount not an object": body_of(amount=5),
    "total not a number": body_of(amount={"total": "x"}),
    "missing transaction": body_of(transaction_id=None, amount={"total": 1}),
    "invalid UTF-8": b'{"out_trade_no": "\xff\xfe"}',
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_signed_body_is_400(order, body):
    response = post_notify(body, signed_headers(body))

    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    assert_unchanged(order)


def test_state_other_than_success_is_acknowledged_without_change(order):
    body = notify_body(order, trade_state="NOTPAY")

    response = post_notify(body, signed_headers(body))

    assert (response.status_code, response.json()) == (200, {"code": "SUCCESS"})
    assert_unchanged(order)


def test_valid_notify_still_pays_when_the_nonce_cache_is_down(order, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = pay(order)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "to_be_confirmed"
    assert Alert.objects.count() == 1


def test_valid_notify_still_pays_and_stores_its_alert_when_publishing_fails(
    order, settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0"}]},  # nothing on port 1
        }
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = pay(order)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "to_be_confirmed"
    assert Alert.objects.count() == 1
