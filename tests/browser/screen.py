"""One open admin screen in the browser, and what the tests can observe of it."""

import json
import time
from pathlib import Path

from playwright.sync_api import BrowserContext, ConsoleMessage, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

RECORDER = Path(__file__).with_name("recorder.js")
PREFIX = "takeout-test "


class Screen:
    """A signed-in staff page. `records` holds what recorder.js reported on the console."""

    def __init__(self, context: BrowserContext, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page: Page = context.new_page()
        self.records: list[dict] = []
        self.socket_urls: list[str] = []
        self.sent_frames: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("websocket", self._on_websocket)

    def _on_websocket(self, socket) -> None:
        self.socket_urls.append(socket.url)
        socket.on("framesent", lambda payload: self.sent_frames.append(payload))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.text.startswith(PREFIX):
            self.records.append(json.loads(message.text[len(PREFIX) :]))

    def sign_in(self, username: str, password: str) -> None:
        """Post the /accounts/login/ form from the browser's cookie jar, without touching a page.

        A click on the login form would count as a user gesture carried to the next page.
        """
        request = self.context.request
        request.get(f"{self.base_url}/accounts/login/")
        csrf = next(c["value"] for c in self.context.cookies() if c["name"] == "csrftoken")
        response = request.post(
            f"{self.base_url}/accounts/login/",
            form={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": csrf,
                "next": "/dashboard/",
            },
            max_redirects=0,
        )
        assert response.status == 302, response.text()

    def open(self, path: str) -> Page:
        self.page.goto(f"{self.base_url}{path}")
        return self.page

    def wait_for(self, predicate, timeout: float = 20) -> dict:
        """The first reported record matching `predicate`, waiting for it if needed."""
        deadline = time.monotonic() + timeout
        while True:
            for record in self.records:
                if predicate(record):
                    return record
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching record; saw {self.records}")
            try:
                self.page.wait_for_event("console", timeout=remaining * 1000)
            except PlaywrightTimeoutError:
                continue

    def wait_for_event(self, name: str, timeout: float = 20, **detail) -> dict:
        """The first takeout:<name> DOM event whose detail has the given fields."""
        return self.wait_for(
            lambda r: (
                r["kind"] == "event"
                and r["name"] == name
                and all(r["detail"].get(k) == v for k, v in detail.items())
            ),
            timeout,
        )["detail"]

    def events(self, name: str, **detail) -> list[dict]:
        return [
            r["detail"]
            for r in self.records
            if r["kind"] == "event"
            and r["name"] == name
            and all(r["detail"].get(k) == v for k, v in detail.items())
        ]

    def clip_calls(self, clip: str) -> list[dict]:
        """Every audible play() of `clip` so far, read from the page's own record.

        Reading evaluates in the page; use it only once sound has been enabled by a click.
        """
        records = self.page.evaluate("() => window.__takeoutRecords.map((r) => ({...r}))")
        return [
            r for r in records if r["kind"] == "play" and r["src"].endswith(clip) and not r["muted"]
        ]
