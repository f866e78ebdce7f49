"""Close the admin sockets of a session that logs out."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from .publisher import publish_session_ended


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        publish_session_ended(session.session_key)
