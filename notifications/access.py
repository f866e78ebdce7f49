"""Who may keep a socket open: closes an accepted socket with the contract's codes."""

from . import closecodes


async def close_unless_allowed(consumer, *, staff_only: bool) -> bool:
    """Close with 4401 (not authenticated) or 4403 (not staff); True when the socket was closed."""
    user = consumer.scope.get("user")
    if user is None or not user.is_authenticated:
        await consumer.close(code=closecodes.NOT_AUTHENTICATED)
        return True
    if staff_only and not user.is_staff:
        await consumer.close(code=closecodes.NOT_STAFF)
        return True
    return False
