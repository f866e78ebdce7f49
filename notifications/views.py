"""Pages rendered for the shop's staff."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

BOARD_COLUMNS = [
    ("to_be_confirmed", "待接单"),
    ("confirmed", "已接单"),
    ("delivering", "派送中"),
]


@login_required
def dashboard(request):
    """The live order board; anonymous visitors go to the login page, non-staff get 403."""
    if not request.user.is_staff:
        raise PermissionDenied
    context = {"columns": BOARD_COLUMNS, "logout_url": "/accounts/logout/"}
    return render(request, "notifications/dashboard.html", context)
