"""Browsers refuse sound until the person interacts; the page says so and offers 「开启声音」.

Before the alert arrives these tests look at the page only through console reports and CDP
evaluations with userGesture false: Playwright's own evaluations count as a gesture.
"""

import pytest
from playwright.sync_api import expect

from .helpers import NEW_ORDER_CLIP, enable_sound, evaluate_without_gesture, wait_connected

pytestmark = pytest.mark.browser

SOUND_CONTROL = """(() => {
  const control = document.querySelector(".takeout-sound");
  const box = control.getBoundingClientRect();
  const shown = getComputedStyle(control).visibility === "visible";
  return {state: control.dataset.state, text: control.textContent,
          visible: shown && box.width > 0 && box.height > 0};
})()"""


def blocked_alert(screen, shop):
    """Open the board without any gesture and let a paid order arrive."""
    screen.open("/dashboard/")
    screen.wait_for_event("connection", state="open")
    order = shop.place_paid_order()
    screen.wait_for_event("alert", orderId=order["id"])
    return order


def test_without_a_gesture_a_blocked_clip_shows_the_enable_sound_control(open_screen, shop):
    screen = open_screen()

    blocked_alert(screen, shop)

    refused = screen.wait_for(
        lambda r: (
            r["kind"] == "play" and r["src"].endswith(NEW_ORDER_CLIP) and r["outcome"] != "pending"
        )
    )
    assert refused["outcome"] == "NotAllowedError"
    screen.wait_for_event("sound", state="blocked", reason="play")
    assert evaluate_without_gesture(screen.page, SOUND_CONTROL) == {
        "state": "blocked",
        "text": "开启声音（浏览器已拦截提示音）",
        "visible": True,
    }


def test_enabling_sound_plays_the_alert_that_was_held_back(open_screen, shop):
    screen = open_screen()
    blocked_alert(screen, shop)
    screen.wait_for_event("sound", state="blocked")

    screen.page.get_by_role("button", name="开启声音（浏览器已拦截提示音）").click()

    played = screen.wait_for(
        lambda r: (
            r["kind"] == "play"
            and r["src"].endswith(NEW_ORDER_CLIP)
            and not r["muted"]
            and r["outcome"] == "played"
        )
    )
    assert played["outcome"] == "played"


def test_enabled_sound_is_remembered_for_the_session(open_screen):
    screen = open_screen()
    page = screen.open("/dashboard/")
    enable_sound(screen)

    page.reload()

    wait_connected(screen)
    expect(page.locator(".takeout-sound")).to_have_text("声音已开启")
