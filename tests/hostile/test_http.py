"""Hostile HTTP input: every answer is a 4xx with a clear message, never a 500."""

import json
import time

import pytest
from rest_framework.test import APIClient

from orders.models import Order
from tests.conftest import notify_body, post_notify, signed_headers

pytestmark = [pytest.mark.django_db]

INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE orders_order; --",
    "<script>alert(1)</script>",
    "{{ settings.SECRET_KEY }}",
    "${jndi:ldap://x/a}",
    "../../etc/passwd",
    "\x00nul",
    "😀" * 10,
    "%s%s%s%n",
]


def post_raw(client, path, raw: bytes):
    return client.generic("POST", path, raw, content_type="application/json")


JSON_ENDPOINTS = [
    ("anonymous", "/api/auth/token/"),
    ("customer", "/api/orders/"),
    ("staff", "/api/admin/orders/{order}/reject/"),
    ("staff", "/api/admin/orders/{order}/cancel/"),
]
MALFORMED = [b"{", b"[1,", b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b"null", b"42", b'"x"']


@pytest.mark.parametrize(("who", "path"), JSON_ENDPOINTS)
def test_malformed_json_is_a_400(who, path, customer_api, staff_api, order, figures):
    client = {"anonymous": APIClient(), "customer": customer_api, "staff": staff_api}[who]
    statuses = {
        body: post_raw(client, path.format(order=order.pk), body).status_code for body in MALFORMED
    }
    figures.inputs(len(MALFORMED))
    assert set(statuses.values()) == {400}, statuses


@pytest.mark.parametrize(
    "body",
    [
        {"items": "1x dish", "address": "1 Road"},
        {"items": [{"dish": "one", "quantity": 1}], "address": "1 Road"},
        {"items": [{"dish": 1, "quantity": "2"}], "address": ["1 Road"]},
        {"items": [{"dish": 1, "quantity": -1}], "address": "1 Road"},
        {"items": [{"dish": 1, "quantity": 10**30}], "address": "1 Road"},
        {"items": [{"dish": 10**30, "quantity": 1}], "address": "1 Road"},
        {"items": [{"dish": 999999, "quantity": 1}], "address": "1 Road"},
        {"items": [{"dish": None, "quantity": None}], "address": None},
        {"items": [{"dish": 1, "quantity": 1}] * 51, "address": "1 Road"},
        {"items": [], "address": "1 Road"},
        {"items": [{"dish": 1, "quantity": 1}], "address": "x" * 256},
        {"items": [{"dish": 1, "quantity": 1}], "address": "1 Road", "remark": "x" * 501},
        {"items": [{"dish": 1, "quantity": 1}], "address": "1 Road", "remark": {"a": 1}},
    ],
)
def test_wrong_types_in_an_order_are_a_400_and_store_nothing(customer_api, dish, body, figures):
    body = json.loads(json.dumps(body).replace('"dish": 1,', f'"dish": {dish.pk},'))
    response = customer_api.post("/api/orders/", body, format="json")
    figures.inputs(1)
    assert response.status_code == 400, response.content
    assert Order.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/orders/", "/api/payments/notify/", "/api/auth/token/"])
def test_a_huge_body_is_a_4xx(customer_api, path, figures):
    body = json.dumps({"address": "x" * (3 * 1024 * 1024)}).encode()
    response = post_raw(customer_api, path, body)
    figures.inputs(1)
    assert 400 <= response.status_code < 500, response.status_code


def test_injection_strings_in_every_order_field_are_stored_as_text(customer_api, dish, figures):
    for text in INJECTIONS:
        response = customer_api.post(
            "/api/orders/",
            {"items": [{"dish": dish.pk, "quantity": 1}], "address": text, "remark": text},
            format="json",
        )
        assert response.status_code in {201, 400}, response.content
    figures.inputs(len(INJECTIONS))
    stored = {(order.address, order.remark) for order in Order.objects.all()}
    assert stored <= {(text, text) for text in INJECTIONS}
    assert len(stored) >= len(INJECTIONS) - 1  # the NUL byte may be refused by PostgreSQL


@pytest.mark.parametrize(
    "path",
    [
        "/api/orders/?status={}",
        "/api/admin/orders/?status={}",
        "/api/orders/?page={}",
        "/api/admin/orders/?page={}",
    ],
)
def test_injection_strings_in_query_parameters_are_a_4xx(customer_api, staff_api, path, figures):
    client = staff_api if "admin" in path else customer_api
    statuses = {text: client.get(path.format(text)).status_code for text in INJECTIONS}
    figures.inputs(len(INJECTIONS))
    assert all(400 <= status < 500 for status in statuses.values()), statuses


@pytest.mark.parametrize(
    "path",
    [
        "/api/orders/{}/reminder/",
        "/api/admin/orders/{}/confirm/",
        "/api/admin/orders/1/{}/",
    ],
)
def test_injection_strings_in_paths_are_a_404(customer_api, staff_api, path, figures):
    client = staff_api if "admin" in path else customer_api
    statuses = {
        text: client.post(path.format(text.replace("/", "%2F").replace("?", "%3F"))).status_code
        for text in INJECTIONS
    }
    figures.inputs(len(INJECTIONS))
    assert set(statuses.values()) == {404}, statuses


def test_injection_strings_as_credentials_are_a_400(figures):
    client = APIClient()
    statuses = {
        text: client.post(
            "/api/auth/token/", {"username": text, "password": text}, format="json"
        ).status_code
        for text in INJECTIONS
    }
    figures.inputs(len(INJECTIONS))
    assert set(statuses.values()) == {400}, statuses


def headers_without(name):
    def tamper(body):
        headers = signed_headers(body)
        del headers[name]
        return headers

    return tamper


def headers_with(name, value):
    def tamper(body):
        return {**signed_headers(body), name: value}

    return tamper


def headers_signed(**kwargs):
    return lambda body: signed_headers(body, **kwargs)


def headers_signed_at(offset: int):
    return lambda body: signed_headers(body, timestamp=int(time.time()) + offset)


TAMPERED = {
    "no-timestamp": headers_without("HTTP_X_PAY_TIMESTAMP"),
    "no-nonce": headers_without("HTTP_X_PAY_NONCE"),
    "no-signature": headers_without("HTTP_X_PAY_SIGNATURE"),
    "empty-signature": headers_with("HTTP_X_PAY_SIGNATURE", ""),
    "wrong-signature": headers_with("HTTP_X_PAY_SIGNATURE", "0" * 64),
    "upper-case-signature": lambda body: {
        **(h := signed_headers(body)),
        "HTTP_X_PAY_SIGNATURE": h["HTTP_X_PAY_SIGNATURE"].upper(),
    },
    "non-hex-signature": headers_with("HTTP_X_PAY_SIGNATURE", "zz" * 32),
    "huge-signature": headers_with("HTTP_X_PAY_SIGNATURE", "a" * 100_000),
    "text-timestamp": headers_signed(timestamp="yesterday"),
    "negative-timestamp": headers_signed(timestamp="-1"),
    "huge-timestamp": headers_signed(timestamp="9" * 40),
    "old-timestamp": headers_signed_at(-301),
    "future-timestamp": headers_signed_at(+301),
    "long-nonce": headers_signed(nonce="n" * 65),
    "other-secret": headers_signed(secret="not-the-secret"),
    "timestamp-changed-after-signing": headers_with(
        "HTTP_X_PAY_TIMESTAMP", str(int(time.time()) - 1)
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERED), ids=list(TAMPERED))
def test_notify_with_a_missing_or_tampered_header_is_a_401_with_a_message(order, tamper, figures):
    body = notify_body(order)

    response = post_notify(body, TAMPERED[tamper](body))

    figures.inputs(1)
    assert response.status_code == 401
    assert response.json()["code"] == "FAIL"
    assert response.json()["message"]
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_notify_with_a_reused_nonce_is_a_401(order, figures):
    first = notify_body(order, trade_state="NOTPAY")
    assert post_notify(first, signed_headers(first, nonce="once")).status_code == 200
    body = notify_body(order)
    headers = signed_headers(body, nonce="once")

    response = post_notify(body, headers)

    figures.inputs(1)
    assert (response.status_code, response.json()["message"]) == (401, "nonce already used")


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b"null",
        b'{"out_trade_no": 1}',
        b'{"out_trade_no": "x", "transaction_id": "t", "trade_state": "SUCCESS", "amount": 5}',
        b'{"out_trade_no": "x", "transaction_id": "t", "trade_state": "SUCCESS",'
        b' "amount": {"total": "ten"}}',
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_a_signed_but_malformed_notify_is_a_400_with_a_message(body, figures):
    response = post_notify(body, signed_headers(body))
    figures.inputs(1)
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    assert response.json()["message"]
