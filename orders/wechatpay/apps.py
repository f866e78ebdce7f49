from django.apps import AppConfig


class WechatPayConfig(AppConfig):
    """WeChat mini-program login and WeChat Pay; its own app so that it keeps its migrations."""

    name = "orders.wechatpay"
    label = "wechatpay"
    verbose_name = "微信"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the settings checks)
