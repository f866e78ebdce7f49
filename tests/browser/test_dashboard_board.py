"""The board's columns, actions and live moves; and the screenshot shown in the README."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import enable_sound, toast_for, wait_connected

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"


def column(page, status):
    return page.locator(f'.board-column[data-status="{status}"]')


def test_a_paid_order_appears_in_the_waiting_column(open_screen, shop):
    screen = open_screen()
    page = screen.open("/dashboard/")
    wait_connected(screen)

    order = shop.place_paid_order(remark="不要香菜")

    card = column(page, "to_be_confirmed").locator(f"#order-{order['id']}")
    expect(card).to_contain_text(order["number"])
    expect(card).to_contain_text("不要香菜")


def test_order_text_is_shown_as_text_never_as_html(open_screen, shop):
    order = shop.place_paid_order(remark='<img src=x onerror="document.title=1">')
    screen = open_screen()
    page = screen.open("/dashboard/")

    card = page.locator(f"#order-{order['id']}")

    expect(card).to_contain_text('备注：<img src=x onerror="document.title=1">')
    expect(card.locator("img")).to_have_count(0)


def test_a_status_change_on_another_screen_moves_the_card_live(open_screen, shop):
    order = shop.place_paid_order()
    screen = open_screen()
    page = screen.open("/dashboard/")
    wait_connected(screen)
    expect(column(page, "to_be_confirmed").locator(f"#order-{order['id']}")).to_be_visible()

    shop.staff_act(order, "confirm")

    expect(column(page, "confirmed").locator(f"#order-{order['id']}")).to_be_visible()
    expect(column(page, "to_be_confirmed").locator(f"#order-{order['id']}")).to_have_count(0)


def test_rejecting_asks_for_a_reason_and_takes_the_order_off_the_board(open_screen, shop):
    order = shop.place_paid_order()
    screen = open_screen()
    page = screen.open("/dashboard/")
    card = page.locator(f"#order-{order['id']}")

    card.get_by_role("button", name="拒单").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").fill("今天食材已售完")
    dialog.get_by_role("button", name="确定").click()

    expect(card).to_have_count(0)


def test_delivering_and_completing_move_the_card_along(open_screen, shop):
    order = shop.place_paid_order()
    shop.staff_act(order, "confirm")
    screen = open_screen()
    page = screen.open("/dashboard/")

    column(page, "confirmed").locator(f"#order-{order['id']}").get_by_role(
        "button", name="派送"
    ).click()
    delivering = column(page, "delivering").locator(f"#order-{order['id']}")
    expect(delivering).to_be_visible()
    delivering.get_by_role("button", name="完成").click()

    expect(page.locator(f"#order-{order['id']}")).to_have_count(0)


def test_the_board_with_a_live_toast_is_captured_for_the_readme(open_screen, shop):
    shop.clear_board()
    accepted = shop.place_paid_order(remark="少放辣")
    shop.staff_act(accepted, "confirm")
    on_the_way = shop.place_paid_order()
    shop.staff_act(on_the_way, "confirm")
    shop.staff_act(on_the_way, "deliver")
    screen = open_screen(viewport={"width": 1180, "height": 620})
    page = screen.open("/dashboard/")
    enable_sound(screen)
    wait_connected(screen)

    order = shop.place_paid_order(remark="多加一份米饭")

    expect(toast_for(page, order)).to_be_visible()
    expect(page.locator(f"#order-{order['id']}")).to_be_visible()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT)
