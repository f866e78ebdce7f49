"""`manage.py check` (and every server start) reports WeChat settings that cannot work."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .config import load_config

NOTIFY_SETTINGS = (
    "WECHATPAY_MCHID",
    "WECHATPAY_APPID",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_PUBLIC_KEY_ID",
    "WECHATPAY_PUBLIC_KEY",
)


@checks.register()
def wechat_settings_check(app_configs, **kwargs):
    """Errors for keys that do not load; a warning when the notify set is only partly given."""
    try:
        config = load_config()
        if config.apiv3_key:
            _ = config.apiv3_key_bytes
        if config.public_key_pem:
            _ = config.public_key
        if config.merchant_key_pem:
            _ = config.merchant_key
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="wechatpay.E001")]
    given = [
        bool(getattr(config, field))
        for field in ("mchid", "appid", "apiv3_key", "public_key_id", "public_key_pem")
    ]
    if any(given) and not all(given):
        return [
            checks.Warning(
                "WeChat Pay notifies are off until all of "
                + ", ".join(NOTIFY_SETTINGS)
                + " are set.",
                id="wechatpay.W001",
            )
        ]
    return []
