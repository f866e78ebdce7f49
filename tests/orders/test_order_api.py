"""Customer order endpoints (contract section 5) and tokens (section 3)."""

import pytest
from rest_framework.test import APIClient

from orders.models import Dish, Order

pytestmark = pytest.mark.django_db


def test_token_endpoint_answers_a_token_for_valid_credentials(customer):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "pw-alice"}, format="json"
    )

    assert response.status_code == 200
    assert set(response.json()) == {"token"}


def test_token_endpoint_refuses_a_wrong_password(customer):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )

    assert response.status_code == 400


def test_dishes_lists_only_what_can_be_ordered(dish):
    Dish.objects.create(name="停售", price=100, is_active=False)

    response = APIClient().get("/api/dishes/")

    assert response.json() == [{"id": dish.pk, "name": "宫保鸡丁", "price": 1900}]


def test_order_amount_is_computed_by_the_server(customer_api, dish):
    response = customer_api.post(
        "/api/orders/",
        {"items": [{"dish": dish.pk, "quantity": 3}], "address": "1 Road", "amount": 1},
        format="json",
    )

    body = response.json()
    assert response.status_code == 201
    assert body["amount"] == 5700
    assert body["status"] == "pending_payment"
    assert body["number"] == Order.objects.get().number
    assert body["items"] == [
        {"dish": dish.pk, "name": "宫保鸡丁", "quantity": 3, "unitPrice": 1900}
    ]


def test_order_numbers_are_unique_and_carry_the_date(customer_api, dish):
    numbers = {
        customer_api.post(
            "/api/orders/",
            {"items": [{"dish": dish.pk, "quantity": 1}], "address": "x"},
            format="json",
        ).json()["number"]
        for _ in range(3)
    }

    assert len(numbers) == 3
    assert all(len(number) >= 14 and number.isdigit() for number in numbers)


BAD_ORDERS = {
    "no items": {"items": [], "address": "x"},
    "unknown dish": {"items": [{"dish": 999999, "quantity": 1}], "address": "x"},
    "zero quantity": {"items": [{"dish": 1, "quantity": 0}], "address": "x"},
    "quantity as text": {"items": [{"dish": 1, "quantity": "many"}], "address": "x"},
    "no address": {"items": [{"dish": 1, "quantity": 1}]},
    "items not a list": {"items": "dish", "address": "x"},
}


@pytest.mark.parametrize("payload", BAD_ORDERS.values(), ids=BAD_ORDERS.keys())
def test_bad_order_is_400_and_creates_nothing(customer_api, dish, payload):
    response = customer_api.post("/api/orders/", payload, format="json")

    assert response.status_code == 400
    assert Order.objects.count() == 0


def test_deeply_nested_json_is_400(customer_api):
    response = customer_api.post(
        "/api/orders/", data="[" * 5000 + "]" * 5000, content_type="application/json"
    )

    assert response.status_code == 400


def test_ordering_needs_authentication(dish):
    response = APIClient().post(
        "/api/orders/", {"items": [{"dish": dish.pk, "quantity": 1}], "address": "x"}, format="json"
    )

    assert response.status_code == 401


def test_customer_lists_only_their_own_orders(customer_api, order, other_customer, dish):
    from orders.services import order_create

    order_create(customer=other_customer, items=[{"dish": dish.pk, "quantity": 1}], address="y")

    response = customer_api.get("/api/orders/")

    assert [o["id"] for o in response.json()["results"]] == [order.pk]
