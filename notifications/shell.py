"""Raise an alert by hand from `python manage.py shell`.

    >>> from notifications.shell import raise_alert
    >>> raise_alert("20261123000042")          # type 1, new order
    >>> raise_alert("20261123000042", kind=2)  # type 2, urge

The alert is stored and published like any other; with the in-memory channel layer (another
process than the server) the server's reconcile sweep delivers it within seconds.
"""

from django.apps import apps
from django.db import transaction

from .models import Alert, AlertKind
from .services import alert_raise


def raise_alert(order_number: str, kind: int = AlertKind.NEW_ORDER) -> Alert:
    """Store and publish an alert of `kind` for the order with that number."""
    order = apps.get_model("orders", "Order").objects.get(number=order_number)
    with transaction.atomic():
        return alert_raise(kind=AlertKind(kind), order=order)
