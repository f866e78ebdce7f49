"""Read-only ORM calls made from async code, run side by side in worker threads."""

import functools

from asgiref.sync import sync_to_async
from django.db import close_old_connections


def in_read_thread(func):
    """`func` (sync, read-only ORM work) as a coroutine function run in the loop's thread pool.

    Channels' `database_sync_to_async` runs every ORM call of a process in one shared thread, so
    a thousand pages connecting at once queue up behind each other's round trips to the
    database. A read needs neither that thread nor a transaction: these run in parallel, each
    borrowing a connection (from the pool, with PostgreSQL) for the call and giving it back
    after, as Channels does around its own calls.
    """

    @functools.wraps(func)
    def read(*args, **kwargs):
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(read, thread_sensitive=False)
