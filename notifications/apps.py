from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The alert log, the publisher and the WebSocket streams that carry alerts to pages."""

    name = "notifications"
    verbose_name = "提醒"

    def ready(self):
        from . import signals  # noqa: F401  (connects the logout handler)
