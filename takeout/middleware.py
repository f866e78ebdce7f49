"""Pages answer a clear 503 while the database is down, as the API does."""

import logging

from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """Turn a database error raised by a view into a 503 with Retry-After, logged in one line.

    The API has its own handler (takeout.exceptions); this covers the admin and the other
    pages, which Django would answer with a 500 and a logged traceback. MiddlewareMixin keeps
    it async-capable, so it adds no thread hop under daphne.
    """

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.warning("database unavailable: %s", exception)
        response = HttpResponse(
            "The database is unavailable; try again shortly.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "5"
        return response
