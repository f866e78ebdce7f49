"""The connection-check page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .consumers import TIME_PUSH_SECONDS


@login_required
def ws_check(request):
    """Staff only: anonymous visitors go to the login page, other users get 403."""
    if not request.user.is_staff:
        raise PermissionDenied
    return render(request, "notifications/ws_check.html", {"interval": int(TIME_PUSH_SECONDS)})
