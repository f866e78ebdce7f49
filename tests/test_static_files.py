"""Static files without a proxy in front (`make run`): the ASGI application serves them."""

import asyncio


async def asgi_get(application, path: str) -> tuple[int, bytes]:
    """One GET straight through the ASGI interface (streamed bodies may omit `body`)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the response is sent

    async def send(message):
        sent.append(message)

    await asyncio.wait_for(application(scope, receive, send), 10)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


async def test_asgi_application_serves_static_files_without_a_proxy():
    from takeout.asgi import application

    status, body = await asgi_get(application, "/static/notifications/ws-check.js")

    assert status == 200
    assert b"/ws/check/" in body
