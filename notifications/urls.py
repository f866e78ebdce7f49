from django.urls import path

from .longpoll import customer_events_poll

urlpatterns: list = [
    path("api/events/", customer_events_poll, name="customer-events"),
]
