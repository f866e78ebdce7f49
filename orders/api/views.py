"""DRF views: parse input, call one service, shape output."""

import segno
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from takeout.parsers import SafeJSONParser, loads_safely
from takeout.throttling import AnonThrottle, UserThrottle

from .. import selectors, services
from ..errors import AmountMismatch, OrderNotFound, PaymentConflict
from ..models import OrderStatus
from ..notify import NotifyRejected, verify_notify
from .serializers import (
    CancelInputSerializer,
    CustomerOrderSerializer,
    DishSerializer,
    ErrorSerializer,
    NotifyAnswerSerializer,
    OrderCreateInputSerializer,
    PaymentNotifySerializer,
    PaymentStartSerializer,
    ReminderSerializer,
    StatusFilterSerializer,
)


def error(description: str) -> OpenApiResponse:
    """A documented error answer: `{"detail": ...}`."""
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: error("invalid input"),
    401: error("not authenticated"),
    404: error("no such order of yours"),
    429: error("too many requests; see Retry-After"),
}
AUTH_ERRORS = {401: ERRORS[401], 429: ERRORS[429]}


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (contract section 3)."""

    throttle_classes = [AnonThrottle]
    # ObtainAuthToken names DRF's own JSONParser, which lets deep nesting escape as a 500.
    parser_classes = [FormParser, MultiPartParser, SafeJSONParser]


class DishListView(generics.ListAPIView):
    """What can be ordered."""

    permission_classes = [permissions.AllowAny]
    serializer_class = DishSerializer
    pagination_class = None
    queryset = selectors.dishes_available()


class OrderListCreateView(APIView):
    """The customer's orders: list them (paged, by status) or place one."""

    throttle_classes = [UserThrottle]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=OrderStatus.values)],
        responses={200: CustomerOrderSerializer(many=True), 400: ERRORS[400], **AUTH_ERRORS},
    )
    def get(self, request):
        query = StatusFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        orders = selectors.orders_of(request.user, status=query.validated_data.get("status"))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(CustomerOrderSerializer(page, many=True).data)

    @extend_schema(
        request=OrderCreateInputSerializer,
        responses={201: CustomerOrderSerializer, 400: ERRORS[400], **AUTH_ERRORS},
    )
    def post(self, request):
        data = OrderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_create(customer=request.user, **data.validated_data)
        return Response(
            CustomerOrderSerializer(selectors.order_detail(order.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class OrderDetailView(APIView):
    """One of the customer's orders."""

    throttle_classes = [UserThrottle]

    @extend_schema(responses={200: CustomerOrderSerializer, 404: ERRORS[404], **AUTH_ERRORS})
    def get(self, request, order_id: int):
        return Response(CustomerOrderSerializer(selectors.order_of(request.user, order_id)).data)


class OrderPayView(APIView):
    """Start paying an unpaid order: WeChat Pay prepay data, or the sandbox's instructions."""

    throttle_classes = [UserThrottle]

    @extend_schema(
        request=None,
        responses={
            200: PaymentStartSerializer,
            404: ERRORS[404],
            409: error("the order is not waiting for payment"),
            **AUTH_ERRORS,
        },
    )
    def post(self, request, order_id: int):
        return Response(services.order_payment_start(order_id=order_id, customer=request.user))


class OrderCancelView(APIView):
    """The customer cancels an order the shop has not accepted; a paid one records a refund."""

    throttle_classes = [UserThrottle]

    @extend_schema(
        request=CancelInputSerializer,
        responses={
            200: CustomerOrderSerializer,
            400: ERRORS[400],
            404: ERRORS[404],
            409: error("the shop has accepted the order already, or it is finished"),
            **AUTH_ERRORS,
        },
    )
    def post(self, request, order_id: int):
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.order_cancel_by_customer(
            order_id=order_id, customer=request.user, **data.validated_data
        )
        return Response(CustomerOrderSerializer(selectors.order_detail(order_id)).data)


class OrderPickupCodeView(APIView):
    """The order's pickup code as a QR image (SVG) for the shop to scan at handover."""

    throttle_classes = [UserThrottle]

    @extend_schema(
        operation_id="orders_pickup_code_svg",
        responses={
            (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR, description="QR code"),
            404: ERRORS[404],
            409: error("the order is not paid yet, or finished: no code to show"),
            410: error("the code has expired"),
            **AUTH_ERRORS,
        },
    )
    def get(self, request, order_id: int):
        code = selectors.order_pickup_code(order_id=order_id, customer=request.user)
        svg = segno.make(code, error="m").svg_inline(scale=6, title=code)
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store"
        return response


class OrderReminderView(APIView):
    """The customer urges their order (客户催单): one type 2 alert to the shop."""

    throttle_classes = [UserThrottle]

    @extend_schema(
        request=None,
        responses={
            201: ReminderSerializer,
            401: ERRORS[401],
            404: error("not your order"),
            409: error("the order's status does not allow urging"),
            429: error("urged too recently, or too many requests; see Retry-After"),
        },
    )
    def post(self, request, order_id: int):
        alert = services.order_remind(order_id=order_id, customer=request.user)
        return Response(alert.as_payload(), status=status.HTTP_201_CREATED)


class PaymentNotifyView(APIView):
    """The payment provider reports a payment (contract section 4)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        request=PaymentNotifySerializer,
        responses={
            200: NotifyAnswerSerializer,
            400: NotifyAnswerSerializer,
            401: NotifyAnswerSerializer,
            404: NotifyAnswerSerializer,
        },
    )
    def post(self, request):
        body = request.body  # the signature covers the raw bytes
        try:
            verify_notify(
                timestamp=request.headers.get("X-Pay-Timestamp"),
                nonce=request.headers.get("X-Pay-Nonce"),
                signature=request.headers.get("X-Pay-Signature"),
                body=body,
            )
        except NotifyRejected as exc:
            return fail(401, str(exc))
        try:
            parsed = loads_safely(body)
        except ValueError:
            return fail(400, "body is not valid JSON")
        notify = PaymentNotifySerializer(data=parsed if isinstance(parsed, dict) else None)
        if not notify.is_valid():
            return fail(400, f"malformed notify: {notify.errors}")
        data = notify.validated_data
        if data["trade_state"] != "SUCCESS":
            return Response({"code": "SUCCESS"})  # nothing to do for other states
        try:
            services.order_mark_paid(
                number=data["out_trade_no"],
                transaction_id=data["transaction_id"],
                amount=data["amount"]["total"],
            )
        except OrderNotFound:
            return fail(404, "unknown order number")
        except AmountMismatch as exc:
            return fail(400, f"amount does not match the order: {exc}")
        except PaymentConflict as exc:
            return fail(400, str(exc))
        return Response({"code": "SUCCESS"})


def fail(status_code: int, message: str) -> Response:
    """The provider's failure answer."""
    return Response({"code": "FAIL", "message": message}, status=status_code)
