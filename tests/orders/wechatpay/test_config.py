"""Which WeChat features the settings switch on, and how keys are given."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from orders.wechatpay.config import load_config

NOTIFY_SETTINGS = [
    "WECHATPAY_MCHID",
    "WECHATPAY_APPID",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_PUBLIC_KEY_ID",
    "WECHATPAY_PUBLIC_KEY",
]


def test_everything_is_off_without_settings(settings):
    for name in NOTIFY_SETTINGS:
        if hasattr(settings, name):
            delattr(settings, name)

    config = load_config()

    assert (config.configured, config.pay_configured, config.login_configured) == (
        False,
        False,
        False,
    )


def test_all_settings_switch_everything_on(wechat_settings):
    config = load_config()

    assert (config.configured, config.pay_configured, config.login_configured) == (True, True, True)


@pytest.mark.parametrize("name", NOTIFY_SETTINGS)
def test_notifies_are_off_when_any_notify_setting_is_missing(wechat_settings, name):
    setattr(wechat_settings, name, "")

    assert load_config().configured is False


def test_the_base_urls_default_to_wechats_own(settings):
    config = load_config()

    assert (config.pay_api_base, config.api_base) == (
        "https://api.mch.weixin.qq.com",
        "https://api.weixin.qq.com",
    )


def test_a_public_key_may_be_given_as_a_file_path(wechat_settings, wechat_keys, tmp_path):
    path = tmp_path / "pub_key.pem"
    path.write_text(wechat_keys.platform_public_pem)
    wechat_settings.WECHATPAY_PUBLIC_KEY = str(path)

    assert load_config().public_key.public_numbers() == (
        wechat_keys.platform.public_key().public_numbers()
    )


def test_a_key_path_that_does_not_exist_is_a_configuration_error(wechat_settings, tmp_path):
    wechat_settings.WECHATPAY_MERCHANT_KEY = str(tmp_path / "missing.pem")

    with pytest.raises(ImproperlyConfigured):
        load_config()


def test_an_apiv3_key_that_is_not_32_bytes_is_a_configuration_error(wechat_settings):
    wechat_settings.WECHATPAY_APIV3_KEY = "short"

    with pytest.raises(ImproperlyConfigured):
        _ = load_config().apiv3_key_bytes


def test_a_pem_with_escaped_line_breaks_from_an_env_file_loads(wechat_settings, wechat_keys):
    wechat_settings.WECHATPAY_PUBLIC_KEY = wechat_keys.platform_public_pem.replace("\n", "\\n")

    assert load_config().public_key.public_numbers() == (
        wechat_keys.platform.public_key().public_numbers()
    )
