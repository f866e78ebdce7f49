"""The element the shared alert client (static/notifications/alert-client.js) starts on."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def alert_client_root(*, order_href: str, floating: bool = False) -> str:
    """Render the client's root element; its settings travel as data attributes.

    `order_href` is the link of a toast, with `{id}` standing for the order id.
    """
    repeat = settings.ALERT_REPEAT_SECONDS
    return format_html(
        '<div class="takeout-alerts{}" data-takeout-alerts data-ws-path="/ws/"'
        ' data-repeat-seconds="{}" data-order-href="{}" data-orders-api="/api/admin/orders/"'
        ' data-login-url="{}" data-clip-new-order="{}" data-clip-new-order-wav="{}"'
        ' data-clip-urge="{}" data-clip-urge-wav="{}"></div>',
        " takeout-alerts--floating" if floating else "",
        repeat,
        order_href,
        settings.LOGIN_URL,
        static("notifications/audio/new-order.ogg"),
        static("notifications/audio/new-order.wav"),
        static("notifications/audio/urge.ogg"),
        static("notifications/audio/urge.wav"),
    )
