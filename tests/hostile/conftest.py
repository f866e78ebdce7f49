import pytest
from django.conf import settings

from tests.conftest import require
from tests.faults.conftest import figures  # noqa: F401 - shared fixture
from tests.faults.live import servers


@pytest.fixture(scope="module")
def server(django_db_setup):
    """One real daphne process for a module of hostile clients; its log must stay clean.

    Depends on `django_db_setup` so that the test database exists before the server starts.
    """
    require(bool(settings.REDIS_URL), "REDIS_URL is not set")
    require(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "DATABASE_URL does not point at PostgreSQL",
    )
    with servers(1) as (running,):
        yield running
