"""Who a customer is to WeChat."""

from django.conf import settings
from django.db import models


class WechatIdentity(models.Model):
    """A customer known by the openid WeChat gives this shop's mini-program."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_identity"
    )
    openid = models.CharField(max_length=128, unique=True)
    unionid = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "微信用户"
        verbose_name_plural = "微信用户"

    def __str__(self):
        return self.openid
