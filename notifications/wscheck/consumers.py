"""The echo socket behind /ws-check/: shows an operator what the path to the server does."""

from __future__ import annotations

import asyncio
import os
import socket

from autobahn.exception import Disconnected
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone

from notifications import closecodes
from notifications.access import close_unless_allowed
from notifications.framebudget import FrameBudget
from notifications.wire import encode

MAX_ECHO_BYTES = 4096
# The seeds' WebSocketTask pushed the time every 5 s; a proxy that drops idle sockets shows up
# as missing ticks followed by close code 1006.
TIME_PUSH_SECONDS = 5.0
SERVER_NAME = f"{socket.gethostname()}:{os.getpid()}"


class ConnectionCheckConsumer(AsyncWebsocketConsumer):
    """Echoes text frames and pushes the server time; staff only (4401 / 4403 like the stream)."""

    # Needs no channel-layer channel: it talks only to its own page.
    channel_layer_alias = "check-pages-need-no-layer"
    time_push_seconds = TIME_PUSH_SECONDS
    ticker: asyncio.Task | None = None

    async def connect(self):
        await self.accept()
        if await close_unless_allowed(self, staff_only=True):
            return
        self.budget = FrameBudget.from_settings()
        client = self.scope.get("client") or [None, None]
        # Which process answered and what address and scheme it saw: behind nginx with
        # --proxy-headers these are the browser's, not the proxy's.
        await self.send_event(
            event="hello",
            server=SERVER_NAME,
            client=client[0],
            scheme=self.scope.get("scheme", "ws"),
            interval=self.time_push_seconds,
        )
        self.ticker = asyncio.ensure_future(self.push_time())

    async def push_time(self) -> None:
        while True:
            await asyncio.sleep(self.time_push_seconds)
            await self.send_event(event="time", now=timezone.now().isoformat())

    async def send_event(self, **event) -> None:
        try:
            await self.send(text_data=encode(event))
        except Disconnected:
            pass  # the client left while a push was due (django/channels#1820)

    async def receive(self, text_data=None, bytes_data=None):
        if not self.budget.spend():
            if self.budget.exhausted:
                await self.close(code=closecodes.TOO_MANY_FRAMES)
            return
        if text_data is None:
            await self.send_event(event="error", message="binary frames are not echoed")
        elif len(text_data.encode()) > MAX_ECHO_BYTES:
            await self.send_event(event="error", message="frame larger than 4 KiB")
        else:
            await self.send_event(event="echo", text=text_data)

    async def disconnect(self, code):
        if self.ticker is not None:
            self.ticker.cancel()
            self.ticker = None
