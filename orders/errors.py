"""Errors raised by the order services; the API maps each to one status code."""


class OrderError(Exception):
    """Base class of every order rule that refused a request."""


class OrderNotFound(OrderError):
    """No such order (or not one the caller may see)."""


class AmountMismatch(OrderError):
    """The paid amount differs from the order's amount."""


class IllegalTransition(OrderError):
    """The order's status does not allow the requested change."""

    def __init__(self, order, target: str):
        self.order_id = order.pk
        self.number = order.number
        self.status = order.status
        self.target = target
        super().__init__(f"Order {order.number} is {order.status}; it cannot become {target}.")


class ReminderTooSoon(OrderError):
    """The order was urged less than the reminder interval ago."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"This order was urged recently; try again in {retry_after} s.")


class InvalidOrder(OrderError):
    """The order request itself is not acceptable (unknown dish, bad quantity)."""


class PaymentConflict(OrderError):
    """The provider's transaction id is already recorded for another order."""


class PickupCodeError(OrderError):
    """A scanned pickup code cannot complete an order; `code` names why for clients."""

    code = "pickup_code_invalid"


class PickupCodeUnknown(PickupCodeError):
    """No order has this pickup code."""

    code = "pickup_code_unknown"


class PickupCodeUsed(PickupCodeError):
    """The code belongs to an order that is already completed or cancelled."""

    code = "pickup_code_used"


class PickupCodeExpired(PickupCodeError):
    """The code's validity ended; the order is left as it is."""

    code = "pickup_code_expired"


class PickupCodeUnavailable(PickupCodeError):
    """The order has no code to show: not paid yet, or already finished."""

    code = "pickup_code_unavailable"
