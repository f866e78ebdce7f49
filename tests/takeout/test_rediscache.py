"""The Redis cache shares one connection pool per process (takeout.rediscache)."""

import asyncio
import contextvars

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches

from tests.conftest import require

pytestmark = pytest.mark.redis


async def test_requests_in_separate_contexts_share_one_connection_pool():
    require(bool(settings.REDIS_URL), "the cache is Redis only with REDIS_URL set")

    def pool_of_this_request():  # each call runs in a context of its own, as requests do
        cache = caches["default"]
        cache.set("shared-pool-probe", 1, 5)
        return cache, cache._cache._get_connection_pool(write=True)

    async def in_a_fresh_context():
        return await asyncio.create_task(
            sync_to_async(pool_of_this_request)(), context=contextvars.Context()
        )

    first_cache, first_pool = await in_a_fresh_context()
    second_cache, second_pool = await in_a_fresh_context()

    assert first_cache is not second_cache
    assert first_pool is second_pool
