"""Small steps the browser tests share."""

import time

from playwright.sync_api import Page, expect

from .screen import Screen

NEW_ORDER_CLIP = "new-order.ogg"
URGE_CLIP = "urge.ogg"
# The default ALERT_REPEAT_SECONDS, jumped over with the page's fake clock.
REPEAT_MS = 30_000


def toast_for(page: Page, order: dict, *, alert_type: int = 1):
    return page.locator(
        f'.takeout-toast[data-order-id="{order["id"]}"][data-alert-type="{alert_type}"]'
    )


def enable_sound(screen: Screen) -> None:
    """Click 「开启声音」 as a person would; the click is the gesture browsers ask for."""
    screen.page.get_by_role("button", name="开启声音").click()
    screen.wait_for_event("sound", state="on")


def wait_connected(screen: Screen) -> None:
    expect(screen.page.locator(".takeout-badge")).to_have_text("已连接")


def wait_until(page: Page, condition, what: str, timeout: float = 20) -> None:
    """Let the page run until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        page.wait_for_timeout(100)


def wait_for_clip_calls(screen: Screen, clip: str, count: int, timeout: float = 20) -> None:
    """Wait until `clip` has been played audibly at least `count` times."""
    wait_until(
        screen.page,
        lambda: len(screen.clip_calls(clip)) >= count,
        f"{clip} to be played {count} times",
        timeout,
    )


def evaluate_without_gesture(page: Page, expression: str):
    """Evaluate through CDP with userGesture false: unlike page.evaluate, it unlocks nothing."""
    session = page.context.new_cdp_session(page)
    try:
        answer = session.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "returnByValue": True,
                "userGesture": False,
            },
        )
    finally:
        session.detach()
    return answer["result"]["value"]
