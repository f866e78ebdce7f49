"""The customer's order endpoints: detail, pay, cancel (contract section 5 and beyond)."""

import pytest
from django.utils.timezone import localtime
from rest_framework.test import APIClient

from notifications.models import CustomerEvent
from orders.models import Order, Refund
from orders.services import order_confirm
from tests.conftest import mark_paid

pytestmark = pytest.mark.django_db


# -- detail -----------------------------------------------------------------------------------


def test_detail_shows_the_customers_own_order(customer_api, order):
    response = customer_api.get(f"/api/orders/{order.pk}/")

    body = response.json()
    assert response.status_code == 200
    assert (body["id"], body["number"], body["amount"]) == (order.pk, order.number, 3800)
    assert (body["pickupCode"], body["pickupCodeExpiresAt"], body["refund"]) == ("", None, None)


def test_detail_of_another_customers_order_is_404(other_api, order):
    response = other_api.get(f"/api/orders/{order.pk}/")

    assert (response.status_code, response.json()) == (404, {"detail": "order not found"})


def test_detail_needs_a_token(order):
    assert APIClient().get(f"/api/orders/{order.pk}/").status_code == 401


def test_detail_of_a_paid_order_shows_its_pickup_code(customer_api, order):
    order = mark_paid(order)

    body = customer_api.get(f"/api/orders/{order.pk}/").json()

    assert body["pickupCode"] == order.pickup_code
    assert body["pickupCodeExpiresAt"] == localtime(order.pickup_code_expires_at).isoformat()


def test_my_orders_list_filters_by_status_in_few_queries(
    customer_api, order, dish, django_assert_num_queries
):
    mark_paid(order)

    with django_assert_num_queries(4):  # token, count, orders with refunds, items
        response = customer_api.get("/api/orders/?status=to_be_confirmed")

    assert [o["id"] for o in response.json()["results"]] == [order.pk]


# -- pay --------------------------------------------------------------------------------------


def test_pay_in_sandbox_mode_answers_how_to_pay(customer_api, order):
    response = customer_api.post(f"/api/orders/{order.pk}/pay/")

    body = response.json()
    assert response.status_code == 200
    assert (body["mode"], body["orderId"], body["number"], body["amount"]) == (
        "sandbox",
        order.pk,
        order.number,
        3800,
    )
    assert body["notify"]["url"] == "/api/payments/notify/"
    assert body["notify"]["command"] == f"python manage.py pay_sandbox {order.number}"
    assert body["notify"]["body"]["amount"] == {"total": 3800}


def test_pay_never_reveals_the_notify_secret(customer_api, order, settings):
    response = customer_api.post(f"/api/orders/{order.pk}/pay/")

    assert settings.PAYMENT_NOTIFY_SECRET not in response.content.decode()


def test_pay_of_a_paid_order_is_409(customer_api, order):
    mark_paid(order)

    response = customer_api.post(f"/api/orders/{order.pk}/pay/")

    assert response.status_code == 409
    assert response.json()["status"] == "to_be_confirmed"


def test_pay_of_another_customers_order_is_404(other_api, order):
    assert other_api.post(f"/api/orders/{order.pk}/pay/").status_code == 404


# -- cancel -----------------------------------------------------------------------------------


def test_customer_cancels_an_unpaid_order_without_a_refund(customer_api, order):
    response = customer_api.post(f"/api/orders/{order.pk}/cancel/", {}, format="json")

    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["refund"]) == ("cancelled", None)
    assert CustomerEvent.objects.get().status == "cancelled"


def test_cancelling_a_paid_order_records_the_refund(customer_api, order):
    mark_paid(order)

    response = customer_api.post(
        f"/api/orders/{order.pk}/cancel/", {"reason": "不想要了"}, format="json"
    )

    refund = Refund.objects.get()
    assert response.status_code == 200
    assert response.json()["refund"] == {
        "amount": 3800,
        "createdAt": localtime(refund.created_at).isoformat(),
        "executedAt": None,
    }
    assert response.json()["cancelReason"] == "不想要了"


def test_cancel_after_the_shop_accepted_is_409_and_changes_nothing(customer_api, order, staff):
    mark_paid(order)
    order_confirm(order_id=order.pk, by=staff)

    response = customer_api.post(f"/api/orders/{order.pk}/cancel/", {}, format="json")

    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert not Refund.objects.exists()


def test_cancel_of_another_customers_order_is_404(other_api, order):
    response = other_api.post(f"/api/orders/{order.pk}/cancel/", {}, format="json")

    assert response.status_code == 404
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_cancel_reason_longer_than_200_is_400(customer_api, order):
    response = customer_api.post(
        f"/api/orders/{order.pk}/cancel/", {"reason": "x" * 201}, format="json"
    )

    assert response.status_code == 400
