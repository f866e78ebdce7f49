"""/healthz/: is the database and the channel layer answering?"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


def _channel_layer_ok() -> bool:
    layer = get_channel_layer()
    try:
        async_to_sync(layer.group_send)("healthz", {"type": "healthz.ping"})
        return True
    except Exception:  # noqa: BLE001
        return False


def healthz(request):
    """200 {"status": "ok"} when both answer, else 503 naming what failed."""
    failed = [
        name
        for name, ok in (("database", _database_ok()), ("channel_layer", _channel_layer_ok()))
        if not ok
    ]
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})
