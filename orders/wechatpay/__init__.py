"""WeChat: mini-program login, JSAPI payment and WeChat Pay API v3 payment notifies."""
