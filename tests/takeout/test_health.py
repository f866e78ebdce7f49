"""GET /healthz/ (contract section 7)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_channel_layer_answer():
    response = Client().get("/healthz/")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_healthz_names_the_channel_layer_when_redis_is_unreachable(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0"}]},  # nothing on port 1
        }
    }

    response = Client().get("/healthz/")

    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "failed": ["channel_layer"]},
    )
