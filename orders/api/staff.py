"""The staff's order board API: list orders and move them along."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import OrderStatus
from .serializers import (
    ErrorSerializer,
    OrderSerializer,
    PickupScanInputSerializer,
    ReasonInputSerializer,
    RequiredReasonInputSerializer,
    StatusFilterSerializer,
)


class StaffOrderListView(APIView):
    """Orders for the board, newest first, optionally of one status."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=OrderStatus.values)],
        responses={200: OrderSerializer(many=True)},
    )
    def get(self, request):
        query = StatusFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        orders = selectors.orders_for_staff(status=query.validated_data.get("status"))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderSerializer(page, many=True).data)


ACTIONS = {
    "confirm": (services.order_confirm, None),
    "deliver": (services.order_start_delivery, None),
    "complete": (services.order_complete, None),
    "reject": (services.order_reject, RequiredReasonInputSerializer),
    "cancel": (services.order_cancel, ReasonInputSerializer),
}


class StaffOrderActionView(APIView):
    """Confirm, reject (with a reason), deliver, complete or cancel an order."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        request=ReasonInputSerializer,
        responses={
            200: OrderSerializer,
            404: OpenApiResponse(description="no such order or action"),
            409: OpenApiResponse(description="the order's status does not allow this action"),
        },
    )
    def post(self, request, order_id: int, action: str):
        if action not in ACTIONS:
            raise NotFound(f"unknown action {action!r}")
        service, input_serializer = ACTIONS[action]
        extra = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            extra = data.validated_data
        service(order_id=order_id, by=request.user, **extra)
        return Response(OrderSerializer(selectors.order_detail(order_id)).data)


class StaffPickupScanView(APIView):
    """The shop scans a customer's pickup code: the order completes and its customer is told."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        request=PickupScanInputSerializer,
        responses={
            200: OrderSerializer,
            400: OpenApiResponse(ErrorSerializer, description="not a 6-digit code"),
            401: OpenApiResponse(ErrorSerializer, description="not authenticated"),
            403: OpenApiResponse(ErrorSerializer, description="not staff"),
            404: OpenApiResponse(ErrorSerializer, description="no order has this code"),
            409: OpenApiResponse(
                ErrorSerializer,
                description="code used already (order finished), or the order is not "
                "delivering yet",
            ),
            410: OpenApiResponse(ErrorSerializer, description="the code has expired"),
        },
    )
    def post(self, request):
        data = PickupScanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_complete_by_pickup_code(
            code=data.validated_data["code"], by=request.user
        )
        return Response(OrderSerializer(selectors.order_detail(order.pk)).data)
