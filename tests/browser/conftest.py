"""Browser tests: Debian's chromium, driven by Playwright, against a real daphne process.

Without /usr/bin/chromium the tests skip, except in CI (CI=true), where they fail.
"""

import os
from pathlib import Path

import pytest

from .screen import Screen
from .server import DaphneServer, manage, server_environment
from .shop import Shop

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STAFF = ("staff", "staff-password")
CUSTOMER = ("customer", "customer-password")


# Package scope: sync Playwright runs an event loop in this thread while it is open, which the
# async tests of other packages must not find running.
@pytest.fixture(scope="package")
def chromium():
    """Debian's chromium through Playwright; never a browser Playwright downloaded itself."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser tests: install Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def server_env(tmp_path_factory):
    """A migrated, seeded database file that every server process of the run shares."""
    database = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
    env = server_environment(database)
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    return env


@pytest.fixture(scope="package")
def daphne_server(server_env, tmp_path_factory):
    """The server the screens use; a test may stop and start it again on the same port."""
    server = DaphneServer(env=server_env, log_path=tmp_path_factory.getbasetemp() / "daphne.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def running_server(daphne_server):
    """The live server, started again if an earlier test left it stopped."""
    if daphne_server.process is None:
        daphne_server.start()
    return daphne_server


@pytest.fixture
def shop(running_server, server_env):
    return Shop(
        running_server.url,
        customer=CUSTOMER,
        staff=STAFF,
        notify_secret=server_env["PAYMENT_NOTIFY_SECRET"],
    )


@pytest.fixture
def open_screen(chromium, running_server):
    """Opens signed-in staff screens, each in its own browser context (its own tab session)."""
    contexts = []

    def open_one(*, clock: bool = False, **context_options) -> Screen:
        context = chromium.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", **context_options
        )
        context.add_init_script(path=str(Path(__file__).with_name("recorder.js")))
        contexts.append(context)
        screen = Screen(context, running_server.url)
        if clock:
            # Fake timers that still run in real time, so a test can jump over a repeat interval.
            screen.page.clock.install()
        screen.sign_in(*STAFF)
        return screen

    yield open_one
    for context in contexts:
        context.close()
