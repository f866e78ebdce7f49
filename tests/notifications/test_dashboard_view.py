"""The /dashboard/ page and the alert client's place on admin pages."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user("board-staff", password="pw-board-1", is_staff=True)
    client.force_login(user)
    return user


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_a_signed_in_customer_is_refused(client):
    client.force_login(get_user_model().objects.create_user("board-customer", password="pw-c-1"))

    response = client.get("/dashboard/")

    assert response.status_code == 403


def test_staff_get_the_board_with_the_alert_client(client, staff):
    response = client.get("/dashboard/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-order-href="#order-{id}"' in page
    assert 'type="module" src="/static/notifications/alert-client.js"' in page
    assert '<meta name="csrf-token" content="' in page


def test_every_admin_page_for_staff_starts_the_alert_client(client, staff):
    staff.is_superuser = True
    staff.save()

    response = client.get("/admin/")

    page = response.content.decode()
    assert 'data-order-href="/admin/orders/order/{id}/change/"' in page
    assert 'src="/static/notifications/alert-client.js"' in page


def test_the_admin_login_page_does_not_start_the_alert_client(client):
    response = client.get("/admin/login/")

    assert "data-takeout-alerts" not in response.content.decode()
