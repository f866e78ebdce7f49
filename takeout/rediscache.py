"""Django's Redis cache with one connection pool per process instead of one per request.

Django keeps a cache instance per asyncio context, and under ASGI every request runs in a
context of its own: with the stock backend each request builds a new connection pool and opens
a new connection to Redis (a TCP handshake on the request's path, then a socket left for the
garbage collector). This backend shares one pool per server and options across the process;
redis-py's pools are thread-safe and start afresh in a forked child.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_pools: dict = {}
_pools_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    """A cache client whose connection pools are the process's, not the instance's."""

    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], repr(sorted(self._pool_options.items())))
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    _pools[key] = pool
        return pool


class SharedPoolRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` on the process's shared pools."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolClient
