"""The alert log in the admin: read-only, filters, a link to the order, a fixed query count."""

import pytest
from django.test import Client

from notifications.models import Alert
from notifications.services import alert_acknowledge
from orders.services import order_create
from tests.conftest import mark_paid

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/alert/"


@pytest.fixture
def clerk_client(staff, shop_group):
    staff.groups.add(shop_group)
    client = Client()
    client.force_login(staff)
    return client


def raise_alerts(customer, dish, count: int, *, acknowledged_by=None) -> list[Alert]:
    """Pay `count` new orders: one new-order alert each, acknowledged by someone if given."""
    alerts = []
    for _ in range(count):
        order = order_create(
            customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="a"
        )
        mark_paid(order)
        alert = Alert.objects.get(order=order)
        if acknowledged_by is not None:
            alert_acknowledge(alert_id=alert.pk, user=acknowledged_by)
        alerts.append(alert)
    return alerts


def test_the_alert_list_links_each_alert_to_its_order(clerk_client, customer, dish):
    (alert,) = raise_alerts(customer, dish, 1)

    page = clerk_client.get(CHANGELIST).content.decode()

    assert (
        f'<a href="/admin/orders/order/{alert.order_id}/change/">{alert.order_number}</a>' in page
    )


@pytest.mark.parametrize("acknowledged, expected", [("yes", "handled"), ("no", "open")])
def test_the_alert_list_filters_by_acknowledged(
    clerk_client, staff, customer, dish, acknowledged, expected
):
    alerts = {
        "handled": raise_alerts(customer, dish, 1, acknowledged_by=staff)[0],
        "open": raise_alerts(customer, dish, 1)[0],
    }

    response = clerk_client.get(CHANGELIST, {"acknowledged": acknowledged})

    assert list(response.context["cl"].result_list) == [alerts[expected]]


def test_the_alert_list_filters_by_kind(clerk_client, customer, dish):
    raise_alerts(customer, dish, 1)

    assert len(clerk_client.get(CHANGELIST, {"kind__exact": 1}).context["cl"].result_list) == 1
    assert len(clerk_client.get(CHANGELIST, {"kind__exact": 2}).context["cl"].result_list) == 0


def test_the_alert_log_cannot_be_added_changed_or_deleted(admin_client, customer, dish):
    (alert,) = raise_alerts(customer, dish, 1)

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    admin_client.post(f"{CHANGELIST}{alert.pk}/change/", {"content": "edited", "kind": 2})
    assert admin_client.post(f"{CHANGELIST}{alert.pk}/delete/").status_code == 403
    alert.refresh_from_db()
    assert (alert.content, alert.kind) == (f"订单号：{alert.order_number}", 1)


# Session, user, the user's and their groups' permissions, the filtered and the total count,
# and one page of rows (the acknowledging users joined in).
ALERT_LIST_QUERIES = 7


@pytest.mark.parametrize("rows", [1, 20])
def test_the_alert_list_query_count_does_not_grow_with_rows(
    clerk_client, staff, customer, dish, rows, django_assert_num_queries
):
    raise_alerts(customer, dish, rows - rows // 2, acknowledged_by=staff)
    raise_alerts(customer, dish, rows // 2)

    with django_assert_num_queries(ALERT_LIST_QUERIES):
        assert clerk_client.get(CHANGELIST).status_code == 200
