"""Log filters for known upstream noise."""

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisOutageFilter(logging.Filter):
    """One warning line, not a traceback, for each failed pub/sub read while Redis is down.

    channels_redis's receive task logs every failure with `logger.exception` and retries a
    second later (channels_redis/pubsub.py, `_do_receiving`): an outage is expected, not a bug.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, OUTAGE_ERRORS):
            record.msg = "Redis pub/sub connection lost (%s); reconnecting"
            record.args = (error,)
            record.exc_info = None
            record.exc_text = None
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True
