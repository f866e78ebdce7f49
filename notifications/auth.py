"""WebSocket handshake checks: API tokens and the Origin header."""

from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from .reads import in_read_thread


@in_read_thread
def _user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


def _token_from_scope(scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("token"):
        return query["token"][0]
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            if scheme.lower() == "token" and key.strip():
                return key.strip()
    return None


def _session_key_from_scope(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(settings.SESSION_COOKIE_NAME)
    return None


class WebSocketAuthMiddleware:
    """Who opens the socket: by `?token=` / `Authorization: Token <key>`, else the session cookie.

    A token that is given but unknown makes the connection anonymous, so the page is told to
    log in again (4401) rather than silently using some other identity. Unlike Channels'
    AuthMiddlewareStack this never wraps `send`: a socket does not write the session, and the
    wrapper would cost a lookup on every frame sent to every page.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        key = _token_from_scope(scope)
        if key is not None:
            scope = dict(scope, user=await _user_for_token(key), auth_method="token")
        else:
            session = import_module(settings.SESSION_ENGINE).SessionStore(
                _session_key_from_scope(scope)
            )
            scope = dict(
                scope,
                session=session,
                user=await get_user({"session": session}),
                auth_method="session",
            )
        return await self.app(scope, receive, send)


class OriginCheckWhenPresent(OriginValidator):
    """Channels' allowed-hosts Origin check, applied only when an Origin header is sent.

    Browsers always send Origin, so cross-site pages are refused; the mini-program and
    server-side clients may send none and authenticate by token, which a foreign page
    cannot ride on.
    """

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)


def origin_checked(app):
    """Wrap `app` with the Origin check against ALLOWED_HOSTS."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return OriginCheckWhenPresent(app, allowed)
