"""POST /api/orders/<id>/reminder/ (contract section 5)."""

import pytest
from django.utils import timezone

from notifications.models import Alert
from orders.models import Order
from tests.conftest import pay

pytestmark = pytest.mark.django_db


def remind(api, order):
    return api.post(f"/api/orders/{order.pk}/reminder/")


@pytest.fixture
def paid_order(order):
    pay(order)
    order.refresh_from_db()
    return order


def test_reminder_raises_one_urge_alert_and_answers_its_id(customer_api, paid_order):
    response = remind(customer_api, paid_order)

    alert = Alert.objects.get(kind=2)
    assert response.status_code == 201
    assert response.json() == alert.as_payload()
    assert alert.order_id == paid_order.pk


def test_second_reminder_within_the_interval_is_429_with_retry_after(customer_api, paid_order):
    remind(customer_api, paid_order)

    response = remind(customer_api, paid_order)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Alert.objects.filter(kind=2).count() == 1


def test_reminder_after_the_interval_is_accepted(customer_api, paid_order):
    remind(customer_api, paid_order)
    Order.objects.filter(pk=paid_order.pk).update(
        last_reminded_at=timezone.now() - timezone.timedelta(seconds=61)
    )

    assert remind(customer_api, paid_order).status_code == 201
    assert Alert.objects.filter(kind=2).count() == 2


def test_reminder_on_another_customers_order_is_404(other_customer, paid_order):
    from rest_framework.test import APIClient

    from tests.conftest import token_for

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(other_customer)}")

    response = api.post(f"/api/orders/{paid_order.pk}/reminder/")

    assert response.status_code == 404
    assert Alert.objects.filter(kind=2).count() == 0


def test_reminder_on_a_missing_order_is_404(customer_api):
    assert customer_api.post("/api/orders/999999/reminder/").status_code == 404


@pytest.mark.parametrize("status", ["pending_payment", "completed", "cancelled"])
def test_reminder_in_a_status_that_does_not_allow_it_is_409(customer_api, order, status):
    Order.objects.filter(pk=order.pk).update(status=status)

    response = remind(customer_api, order)

    assert response.status_code == 409
    assert response.json()["status"] == status
    assert Alert.objects.count() == 0


def test_reminder_needs_a_token(paid_order):
    from rest_framework.test import APIClient

    assert APIClient().post(f"/api/orders/{paid_order.pk}/reminder/").status_code == 401
