from django.urls import path

from . import views
from .longpoll import customer_events_poll

urlpatterns: list = [
    path("api/events/", customer_events_poll, name="customer-events"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
