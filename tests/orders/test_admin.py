"""The order and dish admin: every order move through the services, permissions, query counts."""

import io

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client

from notifications.models import CustomerEvent
from orders.models import Dish, Order
from orders.services import order_create
from tests.conftest import (
    make_user,
    mark_paid,
    next_event,
    open_admin_socket,
    open_customer_socket,
    token_for,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def clerk_client(staff, shop_group):
    """A shop assistant: staff, in the 店员 group, not a superuser."""
    staff.groups.add(shop_group)
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def viewer_client():
    """Staff who may look at orders but not move them."""
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def paid_order(order):
    return mark_paid(order)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, action: str, *orders, **data):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [o.pk for o in orders], **data}
    )


def status_of(order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def in_status(order, status: str):
    Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order


# -- the list ------------------------------------------------------------------------------


def test_the_order_list_shows_the_amount_in_yuan(clerk_client, paid_order):
    response = clerk_client.get(CHANGELIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert paid_order.number in page
    assert "¥38.00" in page
    assert "alice" in page


def test_the_order_list_filters_by_status(clerk_client, paid_order, dish, customer):
    unpaid = order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="a")

    response = clerk_client.get(CHANGELIST, {"status__exact": "to_be_confirmed"})

    assert list(response.context["cl"].result_list) == [paid_order]
    assert unpaid.number not in response.content.decode()


def test_the_order_list_searches_by_customer_username(clerk_client, paid_order, other_customer):
    response = clerk_client.get(CHANGELIST, {"q": "alice"})

    assert list(response.context["cl"].result_list) == [paid_order]


def test_orders_cannot_be_added_or_deleted(clerk_client, admin_client, paid_order):
    assert clerk_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}{paid_order.pk}/delete/").status_code == 403


def test_the_order_page_edits_nothing_by_hand(admin_client, paid_order):
    admin_client.post(
        f"{CHANGELIST}{paid_order.pk}/change/",
        {"status": "completed", "amount": 1, "address": "elsewhere", "items-TOTAL_FORMS": 0},
    )

    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.amount, paid_order.address) == (
        "to_be_confirmed",
        3800,
        "1 Road",
    )


# -- actions -------------------------------------------------------------------------------


def test_the_confirm_action_confirms_through_the_service(clerk_client, paid_order):
    response = run_action(clerk_client, "confirm_orders", paid_order)

    assert response.status_code == 302
    assert status_of(paid_order) == "confirmed"
    event = CustomerEvent.objects.latest("pk")
    assert (event.order_id, event.status, event.content) == (
        paid_order.pk,
        "confirmed",
        "商家已接单，正在备餐",
    )
    assert messages_of(response) == ["已接单 1 个订单。"]


@pytest.mark.parametrize(
    "start, action, target",
    [
        ("confirmed", "deliver_orders", "delivering"),
        ("delivering", "complete_orders", "completed"),
    ],
)
def test_the_delivery_actions_move_the_order_on(clerk_client, paid_order, start, action, target):
    in_status(paid_order, start)

    run_action(clerk_client, action, paid_order)

    assert status_of(paid_order) == target
    assert CustomerEvent.objects.latest("pk").status == target


def test_the_reject_action_asks_for_the_reason_first(clerk_client, paid_order):
    response = run_action(clerk_client, "reject_orders", paid_order)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/orders/order/move_reason.html"
    assert paid_order.number in response.content.decode()
    assert status_of(paid_order) == "to_be_confirmed"


def test_the_reject_action_needs_a_reason(clerk_client, paid_order):
    response = run_action(clerk_client, "reject_orders", paid_order, apply="yes", reason="")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert status_of(paid_order) == "to_be_confirmed"


def test_the_reject_action_stores_the_reason_and_tells_the_customer(clerk_client, paid_order):
    response = run_action(clerk_client, "reject_orders", paid_order, apply="yes", reason="售罄")

    assert response.status_code == 302
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.reject_reason) == ("cancelled", "售罄")
    event = CustomerEvent.objects.latest("pk")
    assert (event.status, event.reason) == ("cancelled", "售罄")


def test_the_cancel_action_stores_the_reason(clerk_client, paid_order):
    in_status(paid_order, "confirmed")

    run_action(clerk_client, "cancel_orders", paid_order, apply="yes", reason="骑手不足")

    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.cancel_reason) == ("cancelled", "骑手不足")


def test_completing_a_pending_order_names_it_and_writes_nothing(clerk_client, order):
    response = run_action(clerk_client, "complete_orders", order)

    assert response.status_code == 302
    assert messages_of(response) == [f"订单 {order.number} 当前为「待付款」，不能完成。"]
    assert status_of(order) == "pending_payment"
    assert not CustomerEvent.objects.exists()


def test_of_several_orders_those_that_can_move_do(clerk_client, paid_order, dish, customer):
    unpaid = order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="a")
    second = mark_paid(
        order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="b")
    )

    response = run_action(clerk_client, "confirm_orders", paid_order, unpaid, second)

    assert [status_of(o) for o in (paid_order, unpaid, second)] == [
        "confirmed",
        "pending_payment",
        "confirmed",
    ]
    assert messages_of(response) == [
        f"订单 {unpaid.number} 当前为「待付款」，不能接单。",
        "已接单 2 个订单。",
    ]


def test_staff_without_change_permission_are_offered_no_action(viewer_client, paid_order):
    response = viewer_client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["action_form"] is None
    run_action(viewer_client, "confirm_orders", paid_order)
    assert status_of(paid_order) == "to_be_confirmed"


# -- buttons on the order's page -----------------------------------------------------------


def test_the_order_page_offers_the_moves_its_status_allows(clerk_client, paid_order):
    response = clerk_client.get(f"{CHANGELIST}{paid_order.pk}/change/")

    assert [move["name"] for move in response.context["order_moves"]] == [
        "confirm",
        "reject",
        "cancel",
    ]
    assert f'action="{CHANGELIST}{paid_order.pk}/confirm/"' in response.content.decode()


def test_the_order_page_offers_no_moves_without_change_permission(viewer_client, paid_order):
    response = viewer_client.get(f"{CHANGELIST}{paid_order.pk}/change/")

    assert response.status_code == 200
    assert "order_moves" not in response.context
    assert "data-order-moves" not in response.content.decode()


def test_the_confirm_button_confirms_through_the_service(clerk_client, paid_order):
    response = clerk_client.post(f"{CHANGELIST}{paid_order.pk}/confirm/")

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}{paid_order.pk}/change/"
    assert status_of(paid_order) == "confirmed"
    assert CustomerEvent.objects.latest("pk").status == "confirmed"
    assert messages_of(response) == [f"已接单：订单 {paid_order.number}。"]


def test_the_reject_button_stores_the_reason(clerk_client, paid_order):
    clerk_client.post(f"{CHANGELIST}{paid_order.pk}/reject/", {"reason": "打烊"})

    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.reject_reason) == ("cancelled", "打烊")


def test_the_reject_button_without_a_reason_changes_nothing(clerk_client, paid_order):
    response = clerk_client.post(f"{CHANGELIST}{paid_order.pk}/reject/", {"reason": " "})

    assert messages_of(response) == ["拒单需要填写原因。"]
    assert status_of(paid_order) == "to_be_confirmed"


def test_an_illegal_button_press_names_the_order_and_writes_nothing(clerk_client, order):
    response = clerk_client.post(f"{CHANGELIST}{order.pk}/complete/")

    assert response.status_code == 302
    assert messages_of(response) == [f"订单 {order.number} 当前为「待付款」，不能完成。"]
    assert status_of(order) == "pending_payment"
    assert not CustomerEvent.objects.exists()


def test_a_button_refuses_staff_without_change_permission(viewer_client, paid_order):
    response = viewer_client.post(f"{CHANGELIST}{paid_order.pk}/confirm/")

    assert response.status_code == 403
    assert status_of(paid_order) == "to_be_confirmed"


def test_a_button_answers_get_with_405(clerk_client, paid_order):
    assert clerk_client.get(f"{CHANGELIST}{paid_order.pk}/confirm/").status_code == 405
    assert status_of(paid_order) == "to_be_confirmed"


def test_a_button_needs_the_csrf_token(staff, shop_group, paid_order):
    staff.groups.add(shop_group)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.post(f"{CHANGELIST}{paid_order.pk}/confirm/").status_code == 403
    assert status_of(paid_order) == "to_be_confirmed"


def test_a_button_for_a_missing_order_answers_404(clerk_client):
    assert clerk_client.post(f"{CHANGELIST}999999/confirm/").status_code == 404


# -- the shop assistants' group ------------------------------------------------------------


def test_the_shop_group_has_exactly_the_assistants_permissions(shop_group):
    permissions = shop_group.permissions.values_list("content_type__app_label", "codename")

    assert sorted(permissions) == [
        ("notifications", "view_alert"),
        ("orders", "change_order"),
        ("orders", "view_dish"),
        ("orders", "view_order"),
        ("orders", "view_orderitem"),
    ]


def test_a_shop_assistant_cannot_change_the_menu(clerk_client, dish):
    response = clerk_client.post(
        f"/admin/orders/dish/{dish.pk}/change/", {"name": "x", "price": 1, "is_active": "on"}
    )

    assert response.status_code == 403
    dish.refresh_from_db()
    assert dish.price == 1900


def test_seed_demo_puts_the_staff_account_in_the_shop_group(shop_group):
    call_command("seed_demo", stdout=io.StringIO())

    staff = shop_group.user_set.get()
    assert (staff.username, staff.is_staff, staff.is_superuser) == ("staff", True, True)


# -- dishes --------------------------------------------------------------------------------


def test_the_dish_list_shows_prices_in_yuan(admin_client, dish):
    assert "¥19.00" in admin_client.get("/admin/orders/dish/").content.decode()


def test_the_dish_form_takes_the_price_in_cents(admin_client, dish):
    response = admin_client.get(f"/admin/orders/dish/{dish.pk}/change/")

    assert "以分为单位" in response.content.decode()
    admin_client.post(
        f"/admin/orders/dish/{dish.pk}/change/",
        {"name": dish.name, "price": 2250, "is_active": "on"},
    )
    assert Dish.objects.get(pk=dish.pk).price == 2250


# -- query counts --------------------------------------------------------------------------

# Session, user, the user's and their groups' permissions, the filtered and the total count,
# and one page of rows (customers joined in).
ORDER_LIST_QUERIES = 7
DISH_LIST_QUERIES = 7


def make_orders(customer, dish, count: int) -> None:
    for _ in range(count):
        mark_paid(
            order_create(customer=customer, items=[{"dish": dish.pk, "quantity": 1}], address="a")
        )


@pytest.mark.parametrize("rows", [1, 20])
def test_the_order_list_query_count_does_not_grow_with_rows(
    clerk_client, customer, other_customer, dish, rows, django_assert_num_queries
):
    make_orders(customer, dish, rows - rows // 2)
    make_orders(other_customer, dish, rows // 2)

    with django_assert_num_queries(ORDER_LIST_QUERIES):
        assert clerk_client.get(CHANGELIST).status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_the_dish_list_query_count_does_not_grow_with_rows(
    clerk_client, rows, django_assert_num_queries
):
    Dish.objects.bulk_create(Dish(name=f"dish {n}", price=100 + n) for n in range(rows))

    with django_assert_num_queries(DISH_LIST_QUERIES):
        assert clerk_client.get("/admin/orders/dish/").status_code == 200


# -- what the other screens and the customer hear -------------------------------------------


@database_sync_to_async
def pay_and_sign_in(order, staff, customer, group) -> tuple[Client, str, str]:
    mark_paid(order)
    staff.groups.add(group)
    client = Client()
    client.force_login(staff)
    return client, token_for(staff), token_for(customer)


@pytest.mark.django_db(transaction=True)
async def test_a_button_press_reaches_the_admin_pages_and_the_customer(
    customer, order, staff, shop_group
):
    client, staff_token, customer_token = await pay_and_sign_in(order, staff, customer, shop_group)
    page = await open_admin_socket(token=staff_token, live=True)
    customer_socket = await open_customer_socket(token=customer_token, live=True)

    response = await database_sync_to_async(client.post)(f"{CHANGELIST}{order.pk}/confirm/")

    assert response.status_code == 302
    assert await next_event(page, "order") == {
        "event": "order",
        "orderId": order.pk,
        "status": "confirmed",
    }
    heard = await next_event(customer_socket, "order")
    assert (heard["orderId"], heard["status"], heard["content"]) == (
        order.pk,
        "confirmed",
        "商家已接单，正在备餐",
    )
    await page.disconnect()
    await customer_socket.disconnect()
