"""The event loop serving this process, so that request code in a worker thread can hand it work.

Django runs a sync view in a worker thread while the server's event loop keeps serving sockets.
`async_to_sync` from that thread waits for the loop to take the call, which, while the loop
writes an alert to thousands of sockets, costs the request tens of milliseconds for every
publish. Code that does not need the answer gives the loop the work and goes on.
"""

from __future__ import annotations

import asyncio

_loop: asyncio.AbstractEventLoop | None = None


def remembered(app):
    """Wrap an ASGI application so that every call notes the loop it runs on."""

    async def remember_the_loop(scope, receive, send):
        global _loop
        _loop = asyncio.get_running_loop()
        return await app(scope, receive, send)

    return remember_the_loop


def serving_loop_elsewhere() -> asyncio.AbstractEventLoop | None:
    """The serving loop when it runs and this is another thread of the process, else None."""
    loop = _loop
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    return None if here is loop else loop
