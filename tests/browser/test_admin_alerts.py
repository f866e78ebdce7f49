"""Every /admin/ page carries the same live alerts as the board."""

import json
import time

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from .helpers import (
    NEW_ORDER_CLIP,
    REPEAT_MS,
    enable_sound,
    toast_for,
    wait_connected,
    wait_for_clip_calls,
)

pytestmark = pytest.mark.browser

ORDER_LIST = "/admin/orders/order/"


def test_the_admin_order_list_shows_the_toast_and_plays_the_clip(open_screen, shop):
    screen = open_screen()
    page = screen.open(ORDER_LIST)
    enable_sound(screen)
    wait_connected(screen)

    order = shop.place_paid_order()

    toast = toast_for(page, order)
    expect(toast).to_contain_text(order["number"])
    expect(toast.get_by_role("link", name="查看订单")).to_have_attribute(
        "href", f"/admin/orders/order/{order['id']}/change/"
    )
    wait_for_clip_calls(screen, NEW_ORDER_CLIP, 1)


def test_the_order_list_says_when_new_orders_arrived_after_it_was_loaded(open_screen, shop):
    screen = open_screen()
    page = screen.open(ORDER_LIST)
    wait_connected(screen)
    expect(page.get_by_text("有新订单，刷新查看")).to_have_count(0)

    shop.place_paid_order()

    expect(page.get_by_role("link", name="有新订单，刷新查看")).to_be_visible()


def test_an_order_accepted_elsewhere_stops_the_repeat_on_an_admin_page(open_screen, shop):
    screen = open_screen(clock=True)
    page = screen.open(ORDER_LIST)
    enable_sound(screen)
    wait_connected(screen)
    order = shop.place_paid_order()
    wait_for_clip_calls(screen, NEW_ORDER_CLIP, 1)

    shop.staff_act(order, "confirm")

    screen.wait_for_event("order", orderId=order["id"], status="confirmed")
    expect(toast_for(page, order)).to_have_count(0)
    calls = len(screen.clip_calls(NEW_ORDER_CLIP))
    page.clock.run_for(2 * REPEAT_MS)
    assert len(screen.clip_calls(NEW_ORDER_CLIP)) == calls


def customer_stream(shop, running_server):
    """The customer's own stream, as the customer's app opens it."""
    return connect(
        f"ws://127.0.0.1:{running_server.port}/ws/customer/browser-app?token={shop.customer_token}"
    )


def wait_for_frame(socket, predicate, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if predicate(frame):
            return frame


def test_confirming_on_the_order_page_silences_every_screen_and_tells_the_customer(
    open_screen, shop, running_server
):
    lister, actor = open_screen(clock=True), open_screen(clock=True)
    for screen in (lister, actor):
        screen.open(ORDER_LIST)
        enable_sound(screen)
        wait_connected(screen)
    with customer_stream(shop, running_server) as customer:
        customer.send(json.dumps({"action": "ping"}))
        wait_for_frame(customer, lambda frame: frame.get("event") == "pong")
        order = shop.place_paid_order()
        wait_for_clip_calls(lister, NEW_ORDER_CLIP, 1)

        toast_for(actor.page, order).get_by_role("link", name="查看订单").click()
        actor.page.locator("[data-order-moves]").get_by_role("button", name="接单").click()

        expect(actor.page.get_by_text(f"已接单：订单 {order['number']}。")).to_be_visible()
        lister.wait_for_event("order", orderId=order["id"], status="confirmed")
        for screen in (actor, lister):
            expect(toast_for(screen.page, order)).to_have_count(0)
            calls = len(screen.clip_calls(NEW_ORDER_CLIP))
            screen.page.clock.run_for(2 * REPEAT_MS)
            assert len(screen.clip_calls(NEW_ORDER_CLIP)) == calls
        heard = wait_for_frame(
            customer, lambda frame: frame.get("event") == "order" and frame["status"] == "confirmed"
        )
        assert heard["orderId"] == order["id"]


def test_an_open_toast_follows_the_staff_to_the_next_admin_page(open_screen, shop):
    screen = open_screen()
    page = screen.open(ORDER_LIST)
    wait_connected(screen)
    order = shop.place_paid_order()

    toast_for(page, order).get_by_role("link", name="查看订单").click()

    expect(page).to_have_url(f"{screen.base_url}/admin/orders/order/{order['id']}/change/")
    expect(toast_for(page, order)).to_be_visible()


def test_the_admin_login_page_has_no_alert_client(chromium, running_server):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{running_server.url}/admin/login/")
        expect(page.locator("[data-takeout-alerts]")).to_have_count(0)
    finally:
        context.close()
