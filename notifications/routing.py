"""WebSocket URL routes."""

from django.urls import re_path

from .consumers import AdminAlertConsumer, CustomerEventConsumer, UnknownPathConsumer
from .wscheck.consumers import ConnectionCheckConsumer

CLIENT_ID = r"(?P<client_id>[A-Za-z0-9_-]{1,64})"

websocket_urlpatterns = [
    re_path(rf"^ws/customer/{CLIENT_ID}$", CustomerEventConsumer.as_asgi()),
    re_path(rf"^ws/{CLIENT_ID}$", AdminAlertConsumer.as_asgi()),
    re_path(rf"^ws/check/{CLIENT_ID}$", ConnectionCheckConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),
]
