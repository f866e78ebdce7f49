"""The order board hears a paid order and an urge, and keeps a new order sounding until handled."""

import pytest
from playwright.sync_api import expect

from .helpers import (
    NEW_ORDER_CLIP,
    REPEAT_MS,
    URGE_CLIP,
    enable_sound,
    toast_for,
    wait_connected,
    wait_for_clip_calls,
)

pytestmark = pytest.mark.browser


def test_a_paid_order_shows_a_toast_and_plays_the_new_order_clip(open_screen, shop):
    screen = open_screen()
    page = screen.open("/dashboard/")
    enable_sound(screen)
    wait_connected(screen)

    order = shop.place_paid_order()

    toast = toast_for(page, order)
    expect(toast).to_be_visible()
    expect(toast.get_by_role("heading")).to_have_text("新订单")
    expect(toast).to_contain_text(order["number"])
    expect(toast.get_by_role("link", name="查看订单")).to_have_attribute(
        "href", f"#order-{order['id']}"
    )
    played = screen.wait_for(
        lambda r: (
            r["kind"] == "play"
            and r["src"].endswith(NEW_ORDER_CLIP)
            and not r["muted"]
            and r["outcome"] != "pending"
        )
    )
    assert played["outcome"] == "played"


def test_an_urge_shows_a_toast_and_plays_the_urge_clip(open_screen, shop):
    order = shop.place_paid_order()
    screen = open_screen()
    page = screen.open("/dashboard/")
    enable_sound(screen)
    wait_connected(screen)

    shop.urge(order)

    toast = toast_for(page, order, alert_type=2)
    expect(toast.get_by_role("heading")).to_have_text("催单")
    expect(toast).to_contain_text(order["number"])
    wait_for_clip_calls(screen, URGE_CLIP, 1)


def test_a_new_order_alert_repeats_its_voice_until_handled(open_screen, shop):
    screen = open_screen(clock=True)
    page = screen.open("/dashboard/")
    enable_sound(screen)
    wait_connected(screen)
    order = shop.place_paid_order()
    expect(toast_for(page, order)).to_be_visible()
    wait_for_clip_calls(screen, NEW_ORDER_CLIP, 1)

    page.clock.run_for(REPEAT_MS + 1_000)

    wait_for_clip_calls(screen, NEW_ORDER_CLIP, 2)


def test_accepting_the_order_stops_the_repeat(open_screen, shop):
    screen = open_screen(clock=True)
    page = screen.open("/dashboard/")
    enable_sound(screen)
    wait_connected(screen)
    order = shop.place_paid_order()
    expect(toast_for(page, order)).to_be_visible()
    wait_for_clip_calls(screen, NEW_ORDER_CLIP, 1)

    page.locator(f"#order-{order['id']}").get_by_role("button", name="接单").click()

    screen.wait_for_event("order", orderId=order["id"], status="confirmed")
    expect(toast_for(page, order)).to_have_count(0)
    calls = len(screen.clip_calls(NEW_ORDER_CLIP))
    page.clock.run_for(2 * REPEAT_MS)
    assert len(screen.clip_calls(NEW_ORDER_CLIP)) == calls


def test_an_ack_on_one_screen_silences_every_screen(open_screen, shop):
    first, second = open_screen(), open_screen(clock=True)
    for screen in (first, second):
        screen.open("/dashboard/")
        enable_sound(screen)
        wait_connected(screen)
    order = shop.place_paid_order()
    alert = second.wait_for_event("alert", orderId=order["id"])
    expect(toast_for(first.page, order)).to_be_visible()
    wait_for_clip_calls(second, NEW_ORDER_CLIP, 1)

    toast_for(first.page, order).get_by_role("button", name="知道了").click()

    assert second.wait_for_event("ack", id=alert["id"])["by"] == "staff"
    expect(toast_for(second.page, order)).to_have_count(0)
    calls = len(second.clip_calls(NEW_ORDER_CLIP))
    second.page.clock.run_for(2 * REPEAT_MS)
    assert len(second.clip_calls(NEW_ORDER_CLIP)) == calls


def test_an_acknowledged_toast_leaves_the_screen_that_acknowledged_it(open_screen, shop):
    screen = open_screen()
    page = screen.open("/dashboard/")
    wait_connected(screen)
    order = shop.place_paid_order()
    alert = screen.wait_for_event("alert", orderId=order["id"])

    toast_for(page, order).get_by_role("button", name="知道了").press("Enter")

    expect(toast_for(page, order)).to_have_count(0)
    screen.wait_for_event("ack", id=alert["id"])
