"""HTTP endpoints WeChat and the mini-program call: the payment notify and the login."""

import logging

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .client import WechatError, WechatLoginError
from .errors import CustomerInactive, NotifyRejected, WechatNotConfigured
from .services import wechat_login, wechat_notify_accept

logger = logging.getLogger(__name__)

FailSerializer = inline_serializer(
    "WechatPayFail",
    {
        "code": serializers.CharField(default="FAIL"),
        "message": serializers.CharField(),
    },
)


def _fail(status_code: int, message: str) -> Response:
    return Response({"code": "FAIL", "message": message}, status=status_code)


class WechatPayNotifyView(APIView):
    """WeChat Pay API v3 payment notify (TRANSACTION.SUCCESS), verified over the raw body."""

    authentication_classes = []
    permission_classes = [AllowAny]
    # WeChat Pay calls from a few addresses and repeats until answered; a per-IP throttle would
    # refuse real payments, and its cache must not be able to take the payment path down.
    throttle_classes = []
    # The signature covers the bytes as sent, so the body is never parsed before it is checked.
    parser_classes = []

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={204: None, 400: FailSerializer, 401: FailSerializer, 404: FailSerializer},
        summary="WeChat Pay payment notify",
        description="Signed by WeChat Pay (Wechatpay-Timestamp, -Nonce, -Serial, -Signature); "
        "the resource is AEAD_AES_256_GCM encrypted with the APIv3 key. 404 while "
        "WeChat Pay is not configured.",
    )
    def post(self, request):
        try:
            outcome = wechat_notify_accept(headers=request.headers, body=request.body)
        except WechatNotConfigured as exc:
            return _fail(status.HTTP_404_NOT_FOUND, str(exc))
        except NotifyRejected as exc:
            logger.warning("WeChat Pay notify refused (%s): %s", exc.status, exc.message)
            return _fail(exc.status, exc.message)
        except ImproperlyConfigured:
            # Our fault, not the sender's: a 5xx makes WeChat Pay retry once the key is fixed.
            logger.exception("WeChat Pay settings are broken; the notify was not handled")
            return _fail(status.HTTP_500_INTERNAL_SERVER_ERROR, "server misconfigured")
        if outcome is not None:
            logger.info(
                "WeChat Pay notify paid order %s (new: %s)",
                outcome.order.number,
                outcome.newly_paid,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WechatLoginInput(serializers.Serializer):
    code = serializers.CharField(max_length=128, help_text="The code from wx.login().")


# jscode2session errcodes -> (status, what the mini-program is told).
LOGIN_ERRORS = {
    40029: (400, "The login code is invalid or expired; call wx.login() again."),
    40163: (400, "The login code was already used; call wx.login() again."),
    45011: (429, "WeChat rate-limits logins right now; try again in a minute."),
    40226: (403, "WeChat flagged this user as high risk; login refused."),
    -1: (502, "WeChat is busy; try again shortly."),
}


class WechatLoginView(APIView):
    """Mini-program login: a `wx.login` code in, this shop's API token out."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=WechatLoginInput,
        responses={
            200: inline_serializer("WechatLoginToken", {"token": serializers.CharField()}),
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
            502: OpenApiTypes.OBJECT,
        },
        summary="Log in with a WeChat mini-program code",
    )
    def post(self, request):
        serializer = WechatLoginInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = wechat_login(code=serializer.validated_data["code"])
        except WechatNotConfigured as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
        except CustomerInactive as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        except WechatLoginError as exc:
            return self._login_error(exc)
        except WechatError as exc:
            logger.warning("WeChat login failed: %s", exc)
            return Response(
                {"detail": "WeChat could not be reached; try again shortly."},
                status=status.HTTP_502_BAD_GATEWAY,
            )
        return Response({"token": token})

    def _login_error(self, exc: WechatLoginError) -> Response:
        errcode = int(exc.code) if exc.code.lstrip("-").isdigit() else exc.code
        if errcode not in LOGIN_ERRORS:
            # 40013 (appid), 40125 (appsecret) and the like: the shop's settings, not the user.
            logger.error("jscode2session refused the shop's credentials: %s", exc)
            return Response(
                {"detail": "WeChat refused the shop's login settings.", "errcode": errcode},
                status=status.HTTP_502_BAD_GATEWAY,
            )
        status_code, detail = LOGIN_ERRORS[errcode]
        headers = {"Retry-After": "60"} if status_code == 429 else None
        return Response({"detail": detail, "errcode": errcode}, status=status_code, headers=headers)
