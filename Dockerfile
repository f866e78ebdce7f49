# The application image: the daphne web processes, the one-shot migrate step and the timer worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Run from /app, not site-packages: settings find templates/ and the static files there.
    PYTHONPATH=/app \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY . .
RUN pip install -c constraints.txt . \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app takeout
USER takeout

EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "takeout.asgi:application"]
