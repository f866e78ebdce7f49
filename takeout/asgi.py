"""ASGI entry point: Django for HTTP, Channels for the WebSocket streams."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takeout.settings")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: routing pulls in models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from notifications.auth import WebSocketAuthMiddleware, origin_checked  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402
from notifications.serverloop import remembered  # noqa: E402
from takeout import gcpolicy  # noqa: E402
from takeout.frame_logging import skip_per_frame_debug_formatting  # noqa: E402

# The daphne command serves no static files: behind nginx (BEHIND_PROXY=1) nginx serves them
# from STATIC_ROOT, otherwise (`make run`) Django serves them from the apps.
if not settings.BEHIND_PROXY:
    django_asgi_app = ASGIStaticFilesHandler(django_asgi_app)

skip_per_frame_debug_formatting()

application = remembered(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": origin_checked(WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
        }
    )
)

# Everything loaded so far lives as long as the process: keep it out of the collector's walks.
gcpolicy.apply(
    young_threshold=settings.GC_YOUNG_THRESHOLD,
    slow_ms=settings.GC_SLOW_MS,
    freeze_burst=settings.GC_FREEZE_BURST,
    freeze_quiet_s=settings.GC_FREEZE_QUIET_SECONDS,
    thaw_minutes=settings.GC_THAW_MINUTES,
)
