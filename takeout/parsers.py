"""JSON parsing that treats every malformed body alike."""

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, but deeply nested input is a 400 like any other malformed body.

    `json.loads` raises RecursionError (not ValueError) on a few thousand nested brackets,
    which DRF would let escape as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(stream.read().decode(encoding))
        except (ValueError, RecursionError) as exc:
            raise ParseError("JSON parse error: the body is not valid JSON.") from exc


def loads_safely(raw: bytes | str):
    """Parse JSON, raising ValueError for anything malformed (deep nesting included)."""
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
