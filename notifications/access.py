"""Who may keep a socket open, and the contract's close codes for those who may not."""

from . import closecodes


def refusal(user, *, staff_only: bool) -> int | None:
    """The close code for a socket this user may not keep open: 4401 or 4403; None if allowed."""
    if user is None or not user.is_authenticated:
        return closecodes.NOT_AUTHENTICATED
    if staff_only and not user.is_staff:
        return closecodes.NOT_STAFF
    return None


async def close_unless_allowed(consumer, *, staff_only: bool) -> bool:
    """Close an accepted socket with 4401 or 4403; True when the socket was closed."""
    code = refusal(consumer.scope.get("user"), staff_only=staff_only)
    if code is not None:
        await consumer.close(code=code)
        return True
    return False
