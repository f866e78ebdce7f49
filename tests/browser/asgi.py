"""The site as a browser sees it in deployment: the ASGI app with its static files beside it.

In deployment nginx serves /static/ (STATIC_ROOT); daphne alone serves none. The browser tests
put Django's static files handler in front of the real application, as `runserver` does.
"""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from takeout.asgi import application as site

application = ASGIStaticFilesHandler(site)
