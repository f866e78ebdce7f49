from django.urls import path

from .views import ws_check

urlpatterns = [path("", ws_check, name="ws-check")]
