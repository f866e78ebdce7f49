"""`manage.py check` tells a shop which WeChat settings cannot work."""

from orders.wechatpay.checks import wechat_settings_check


def check_ids() -> list[str]:
    return [message.id for message in wechat_settings_check(None)]


def test_no_wechat_settings_is_fine(settings):
    settings.WECHATPAY_MCHID = settings.WECHATPAY_APPID = ""

    assert check_ids() == []


def test_complete_settings_are_fine(wechat_settings):
    assert check_ids() == []


def test_a_partial_notify_set_is_a_warning(wechat_settings):
    wechat_settings.WECHATPAY_PUBLIC_KEY_ID = ""

    assert check_ids() == ["wechatpay.W001"]


def test_a_public_key_that_is_not_pem_is_an_error(wechat_settings):
    wechat_settings.WECHATPAY_PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nnot a key\n"

    assert check_ids() == ["wechatpay.E001"]


def test_an_apiv3_key_of_the_wrong_length_is_an_error(wechat_settings):
    wechat_settings.WECHATPAY_APIV3_KEY = "0123456789"

    assert check_ids() == ["wechatpay.E001"]
