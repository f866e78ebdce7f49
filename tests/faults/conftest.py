import pytest

from tests.faults.services import ThrowawayRedis
from tests.live.conftest import postgres, redis_layer  # noqa: F401 - shared fixtures


class Figures:
    """What a test adds to the reliability figures (see tests/reliability.py)."""

    def __init__(self, node):
        self.node = node

    def inputs(self, count: int) -> None:
        self.node.user_properties.append(("inputs", count))

    def alerts(self, *, expected: int, lost: int, repeated: int) -> None:
        self.node.user_properties.extend(
            [("alerts_expected", expected), ("alerts_lost", lost), ("alerts_repeated", repeated)]
        )


@pytest.fixture
def figures(request):
    return Figures(request.node)


@pytest.fixture
def throwaway_redis():
    """A Redis server of the test's own, which it may stop and start again."""
    server = ThrowawayRedis()
    server.start()
    yield server
    server.stop()
