"""Channel-layer group names, in one place."""

ADMINS = "admins"


def customer_group(user_id: int) -> str:
    """The group of one customer's open streams."""
    return f"customer.{user_id}"
