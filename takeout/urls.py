from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from takeout.health import healthz

admin.site.site_header = "外卖来单提醒 · 管理后台"
admin.site.site_title = "外卖来单提醒"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("orders.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("healthz/", healthz, name="healthz"),
    path("ws-check/", include("notifications.wscheck.urls")),
    path("", include("orders.wechatpay.urls")),
    path("", include("notifications.urls")),
]
