"""API error handling: every failure is a clear JSON answer, never a traceback page."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from orders import errors

logger = logging.getLogger(__name__)

ORDER_ERROR_STATUS = {
    errors.OrderNotFound: 404,
    errors.InvalidOrder: 400,
    errors.AmountMismatch: 400,
    errors.IllegalTransition: 409,
    errors.PaymentConflict: 409,
    errors.ReminderTooSoon: 429,
    errors.PickupCodeUnknown: 404,
    errors.PickupCodeUsed: 409,
    errors.PickupCodeExpired: 410,
    errors.PickupCodeUnavailable: 409,
}


def _order_error_response(exc: errors.OrderError) -> Response:
    status = next((code for kind, code in ORDER_ERROR_STATUS.items() if isinstance(exc, kind)), 400)
    not_found = isinstance(exc, errors.OrderNotFound)
    body = {"detail": "order not found" if not_found else str(exc)}
    headers = {}
    if isinstance(exc, errors.PickupCodeError):
        body["code"] = exc.code
    if isinstance(exc, errors.IllegalTransition):
        body["status"] = exc.status
    if isinstance(exc, errors.ReminderTooSoon):
        headers["Retry-After"] = str(exc.retry_after)
        body["retryAfter"] = exc.retry_after
    return Response(body, status=status, headers=headers)


def _wechat_error_response(exc) -> Response | None:
    """WeChat Pay refusing or failing a prepay: the customer's client is told why."""
    from orders.wechatpay import client as wechat_client
    from orders.wechatpay import errors as wechat_errors

    if isinstance(exc, (wechat_errors.PayerUnknown, wechat_errors.OrderNotPayable)):
        return Response({"detail": str(exc)}, status=409)
    if isinstance(exc, wechat_client.WechatError):
        logger.warning("WeChat Pay call failed: %s", exc)
        return Response({"detail": f"WeChat Pay: {exc.message}", "code": exc.code}, status=502)
    return None


def api_exception_handler(exc, context):
    """DRF's handler, plus the order rules' errors, 413 for an oversized body, and a 503 while
    the database is down."""
    if isinstance(exc, errors.OrderError):
        return _order_error_response(exc)
    response = exception_handler(exc, context) or _wechat_error_response(exc)
    if response is not None:
        return response
    if isinstance(exc, RequestDataTooBig):
        # Left to Django this is a 400 plus a logged traceback for each oversized request.
        return Response({"detail": "The request body is too large."}, status=413)
    if isinstance(exc, DatabaseError):
        logger.warning("database unavailable: %s", exc)
        return Response(
            {"detail": "The database is unavailable; try again shortly."},
            status=503,
            headers={"Retry-After": "5"},
        )
    return None
