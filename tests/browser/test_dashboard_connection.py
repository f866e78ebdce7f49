"""The connection badge, reconnecting with `since`, and the screens-online count."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .helpers import toast_for, wait_connected, wait_until
from .server import DaphneServer

pytestmark = pytest.mark.browser

# Backoff tops out at 30 s; the server is down for a few seconds only.
RECONNECT_TIMEOUT_MS = 60_000
# The client checks its heartbeat every 5 s.
TICK_SECONDS = 5


def test_alerts_raised_while_the_server_was_down_appear_once_after_reconnecting(
    open_screen, shop, daphne_server, server_env, tmp_path
):
    screen = open_screen()
    page = screen.open("/dashboard/")
    badge = page.locator(".takeout-badge")
    wait_connected(screen)
    before = shop.place_paid_order()
    seen = screen.wait_for_event("alert", orderId=before["id"])

    daphne_server.stop()
    expect(badge).to_have_text("重新连接中")
    # Another process of the same site takes the orders meanwhile; it shares the database.
    other = DaphneServer(env=server_env, log_path=tmp_path / "other-daphne.log")
    other.start()
    try:
        meanwhile = shop.via(other.url).place_paid_order()
        shop.via(other.url).urge(before)
    finally:
        other.stop()
    daphne_server.start()

    expect(badge).to_have_text("已连接", timeout=RECONNECT_TIMEOUT_MS)
    assert parse_qs(urlsplit(screen.socket_urls[-1]).query)["since"] == [str(seen["id"])]
    # A live alert after the replay: anything sent before it has arrived by now.
    after = shop.place_paid_order()
    screen.wait_for_event("alert", orderId=after["id"])
    for order in (before, meanwhile, after):
        expect(toast_for(page, order)).to_have_count(1)
    expect(toast_for(page, before, alert_type=2)).to_have_count(1)
    ids = [alert["id"] for alert in screen.events("alert")]
    assert len(ids) == len(set(ids))


def test_the_page_sends_a_heartbeat_ping_after_20_seconds(open_screen):
    screen = open_screen(clock=True)
    page = screen.open("/dashboard/")
    wait_connected(screen)

    page.clock.run_for(21_000)

    wait_until(page, lambda: '{"action":"ping"}' in screen.sent_frames, "a ping frame")


def test_a_connection_silent_for_45_seconds_is_dropped_and_opened_again(open_screen):
    screen = open_screen(clock=True)
    page = screen.open("/dashboard/")
    wait_connected(screen)

    # A frame that arrives after the jump (a presence update as other pages close) proves the
    # socket alive again, so the jump is repeated until the page has seen 45 s of silence.
    for _ in range(3):
        page.clock.run_for(46_000)
        try:
            screen.wait_for_event("connection", timeout=TICK_SECONDS + 2, state="reconnecting")
            break
        except AssertionError:
            continue

    screen.wait_for_event("connection", state="open", reconnected=True)
    expect(page.locator(".takeout-badge")).to_have_text("已连接")


def test_the_badge_says_connected_once_the_socket_is_open(open_screen):
    screen = open_screen()

    page = screen.open("/dashboard/")

    expect(page.locator(".takeout-badge")).to_have_text("已连接")


def test_signing_out_in_another_tab_turns_the_badge_offline_with_a_way_back(open_screen):
    screen = open_screen()
    page = screen.open("/dashboard/")
    wait_connected(screen)

    other_tab = screen.context.new_page()
    other_tab.goto(f"{screen.base_url}/dashboard/")
    other_tab.get_by_role("button", name="退出登录").click()

    expect(page.locator(".takeout-badge")).to_have_text("离线（登录已过期）")
    expect(page.get_by_role("link", name="重新登录")).to_be_visible()


def test_each_screen_shows_how_many_screens_are_online(open_screen):
    first = open_screen()
    first.open("/dashboard/")
    presence = first.page.locator(".takeout-presence")
    expect(presence).to_have_text("1 个屏幕在线", timeout=15_000)

    open_screen().open("/admin/")

    expect(presence).to_have_text("2 个屏幕在线", timeout=15_000)
