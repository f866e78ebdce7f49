from django.urls import path

from .views import WechatLoginView, WechatPayNotifyView

urlpatterns = [
    path("api/payments/wechat/notify/", WechatPayNotifyView.as_view(), name="wechatpay-notify"),
    path("api/auth/wechat/", WechatLoginView.as_view(), name="wechat-login"),
]
