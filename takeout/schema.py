"""OpenAPI additions for what DRF's views do not describe: the async long-poll endpoint."""

from django.conf import settings


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


CUSTOMER_EVENT = {
    "type": "object",
    "description": "A status change of one of the customer's orders; the same frame as on "
    "the customer stream /ws/customer/<client_id>.",
    "properties": {
        "event": {"type": "string", "enum": ["order"]},
        "id": {"type": "integer", "description": "the cursor: increasing per customer"},
        "orderId": {"type": "integer"},
        "status": {"type": "string", "description": "the order's new status"},
        "content": {"type": "string", "description": "text for the customer"},
        "reason": {"type": "string", "description": "the shop's reason when it rejects"},
        "createdAt": {"type": "string", "format": "date-time"},
    },
    "required": ["event", "id", "orderId", "status", "content", "reason", "createdAt"],
}

EVENTS_POLL = {
    "type": "object",
    "properties": {
        "events": {"type": "array", "items": {"$ref": "#/components/schemas/CustomerEvent"}},
        "cursor": {"type": "integer", "description": "pass as `since` in the next poll"},
    },
    "required": ["events", "cursor"],
}


def _events_poll_operation() -> dict:
    cap = settings.EVENTS_POLL_MAX_TIMEOUT
    return {
        "operationId": "events_poll",
        "summary": "Long-poll the customer's order events",
        "description": (
            "Answers at once when the customer has events with id > `since`; otherwise waits "
            f"up to `timeout` seconds (0 to {cap}) for one, then answers with none. Without "
            "`since` it waits for events after the latest. The events and cursor are the "
            "customer stream's (`/ws/customer/<client_id>?since=N`)."
        ),
        "tags": ["events"],
        "security": [{"tokenAuth": []}],
        "parameters": [
            {
                "in": "query",
                "name": "since",
                "schema": {"type": "integer", "minimum": 0},
                "description": "the last event id the client has",
            },
            {
                "in": "query",
                "name": "timeout",
                "schema": {"type": "integer", "minimum": 0, "maximum": cap, "default": 25},
                "description": "seconds to wait when there is nothing new",
            },
        ],
        "responses": {
            "200": {
                "description": "events after `since` (possibly none) and the next cursor",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/EventsPoll"}}
                },
            },
            "400": _error("`since` or `timeout` is not acceptable"),
            "401": _error("not authenticated"),
            "429": _error("too many requests; see Retry-After"),
        },
    }


def document_customer_events_poll(result, generator, request, public):
    """drf-spectacular postprocessing hook: add GET /api/events/ and its components."""
    result["paths"]["/api/events/"] = {"get": _events_poll_operation()}
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["CustomerEvent"] = CUSTOMER_EVENT
    schemas["EventsPoll"] = EVENTS_POLL
    return result
