"""Pickup codes: issued on payment, shown as a QR code, scanned by the shop to complete."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import CustomerEvent
from orders import services
from orders.models import Order
from orders.services import order_confirm, order_create, order_start_delivery
from tests.conftest import mark_paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivering(order, staff):
    """A paid order out for delivery, ready to be handed over with its code."""
    mark_paid(order)
    order_confirm(order_id=order.pk, by=staff)
    order_start_delivery(order_id=order.pk, by=staff)
    order.refresh_from_db()
    return order


def test_payment_issues_a_six_digit_code_valid_for_the_ttl(order, settings):
    before = timezone.now()
    order = mark_paid(order)

    assert len(order.pickup_code) == 6 and order.pickup_code.isdigit()
    ttl = timedelta(hours=settings.PICKUP_CODE_TTL_HOURS)
    assert before + ttl <= order.pickup_code_expires_at <= timezone.now() + ttl


def test_a_code_held_by_an_open_order_is_not_issued_again(order, customer, dish, monkeypatch):
    draws = iter([123456, 123456, 654321])
    monkeypatch.setattr(services.secrets, "randbelow", lambda _: next(draws))
    mark_paid(order)
    second = order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="x")

    second = mark_paid(second)

    assert second.pickup_code == "654321"


def test_qr_code_is_an_svg_for_the_owner(customer_api, order):
    order = mark_paid(order)

    response = customer_api.get(f"/api/orders/{order.pk}/pickup-code.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert f"<title>{order.pickup_code}</title>".encode() in response.content


def test_qr_code_of_another_customers_order_is_404(other_api, order):
    mark_paid(order)

    assert other_api.get(f"/api/orders/{order.pk}/pickup-code.svg").status_code == 404


def test_qr_code_of_an_unpaid_order_is_409(customer_api, order):
    response = customer_api.get(f"/api/orders/{order.pk}/pickup-code.svg")

    assert response.status_code == 409
    assert response.json()["code"] == "pickup_code_unavailable"


def test_qr_code_after_expiry_is_410(customer_api, order):
    mark_paid(order)
    Order.objects.filter(pk=order.pk).update(pickup_code_expires_at=timezone.now())

    assert customer_api.get(f"/api/orders/{order.pk}/pickup-code.svg").status_code == 410


def test_scan_completes_the_order_and_answers_it_to_the_staff(staff_api, delivering):
    response = staff_api.post(
        "/api/admin/orders/scan/", {"code": delivering.pickup_code}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (delivering.pk, "completed")
    event = CustomerEvent.objects.latest("pk")
    assert (event.order_id, event.status, event.content) == (
        delivering.pk,
        "completed",
        "取餐码已核销，订单已完成",
    )


def test_reused_code_is_409_and_changes_nothing(staff_api, delivering):
    staff_api.post("/api/admin/orders/scan/", {"code": delivering.pickup_code}, format="json")
    events = CustomerEvent.objects.count()

    response = staff_api.post(
        "/api/admin/orders/scan/", {"code": delivering.pickup_code}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "pickup_code_used"
    assert CustomerEvent.objects.count() == events


def test_wrong_code_is_404(staff_api, delivering):
    wrong = f"{(int(delivering.pickup_code) + 1) % 10**6:06d}"

    response = staff_api.post("/api/admin/orders/scan/", {"code": wrong}, format="json")

    assert (response.status_code, response.json()["code"]) == (404, "pickup_code_unknown")
    assert Order.objects.get(pk=delivering.pk).status == "delivering"


def test_expired_code_is_410_and_changes_nothing(staff_api, delivering):
    Order.objects.filter(pk=delivering.pk).update(pickup_code_expires_at=timezone.now())

    response = staff_api.post(
        "/api/admin/orders/scan/", {"code": delivering.pickup_code}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (410, "pickup_code_expired")
    assert Order.objects.get(pk=delivering.pk).status == "delivering"


def test_code_of_an_order_not_yet_out_is_409(staff_api, order):
    order = mark_paid(order)

    response = staff_api.post("/api/admin/orders/scan/", {"code": order.pickup_code}, format="json")

    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == "to_be_confirmed"


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", ""])
def test_malformed_code_is_400(staff_api, code):
    assert (
        staff_api.post("/api/admin/orders/scan/", {"code": code}, format="json").status_code == 400
    )


def test_customers_cannot_scan(customer_api, delivering):
    response = customer_api.post(
        "/api/admin/orders/scan/", {"code": delivering.pickup_code}, format="json"
    )

    assert response.status_code == 403
    assert Order.objects.get(pk=delivering.pk).status == "delivering"


def test_scan_needs_a_token(delivering):
    response = APIClient().post(
        "/api/admin/orders/scan/", {"code": delivering.pickup_code}, format="json"
    )

    assert response.status_code == 401
