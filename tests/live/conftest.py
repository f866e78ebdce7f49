import pytest
from django.conf import settings

from tests.conftest import require


@pytest.fixture
def redis_layer():
    """The live tests need the Redis channel layer: processes talk through it."""
    require(bool(settings.REDIS_URL), "REDIS_URL is not set")


@pytest.fixture
def postgres():
    require(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "DATABASE_URL does not point at PostgreSQL",
    )
