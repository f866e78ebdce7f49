"""Refusals of the WeChat services; each view maps them to one status code."""


class WechatNotConfigured(Exception):
    """The settings this feature needs are not all set."""


class NotifyRejected(Exception):
    """A payment notify that must not change anything; `status` is the 4xx to answer."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


class OrderNotPayable(Exception):
    """The order is no longer waiting for payment."""


class PayerUnknown(Exception):
    """The order's customer has never logged in through WeChat, so has no openid to pay with."""


class CustomerInactive(Exception):
    """The WeChat user's account has been switched off by the shop."""
