"""Settings for the takeout alert service, read from the environment.

Unset variables give the embedded defaults (SQLite, in-memory channel layer, local-memory cache),
which is what `make run` serves. REDIS_URL switches the channel layer, cache and throttles to Redis;
DATABASE_URL switches the database (PostgreSQL in production and CI).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-secret-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "notifications",
    "orders",
    "orders.wechatpay",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "takeout.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "takeout.urls"
ASGI_APPLICATION = "takeout.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file-based test database lets real server processes started by tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
    # IMMEDIATE transactions queue writers up instead of failing lock upgrades ("database is
    # locked") when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    # Fail fast while the database is down: requests answer 503 instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    if env_bool("DATABASE_POOL", True):
        # daphne runs every sync view in a thread of its own, so per-thread persistent
        # connections are never reused: a pool per process hands connections across threads,
        # saves a connect per request and bounds the connections a process may hold.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "2")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10")),
            # How long a request waits for a connection: while the database is down, requests
            # answer 503 after this long.
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "3")),
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNEL_LAYER_PREFIX = os.environ.get("CHANNEL_LAYER_PREFIX", "takeout")

# redis-py 8 sets socket_timeout to 5 s by default (django/channels_redis#422); a pub/sub
# connection sits idle between alerts, so reads get a generous timeout and connects a short one.
REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "30"))
REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "2"))

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": REDIS_SOCKET_TIMEOUT,
                        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                        "health_check_interval": 15,
                    }
                ],
                # Pub/sub channels ignore the database number: the prefix keeps deployments apart.
                "prefix": CHANNEL_LAYER_PREFIX,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "takeout.rediscache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNEL_LAYER_PREFIX,
            "OPTIONS": {
                "socket_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Behind nginx: trust the forwarded scheme so secure cookies and CSRF origin checks hold.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["takeout.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "takeout.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "300/minute"),
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Takeout order alerts API",
    "DESCRIPTION": (
        "Customer ordering, payment, pickup codes, order events (long-poll here; the "
        "WebSocket streams are described in the README), payment notifies, reminders and "
        "the staff order board."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "takeout.schema.document_customer_events_poll",
    ],
}

# The largest legitimate body (an order of 50 lines, a payment notify) is a few KiB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# Payments and reminders
PAYMENT_NOTIFY_SECRET = os.environ.get("PAYMENT_NOTIFY_SECRET", "dev-notify-secret")
PAYMENT_NOTIFY_WINDOW_SECONDS = 300
REMINDER_INTERVAL_SECONDS = int(os.environ.get("REMINDER_INTERVAL_SECONDS", "60"))

# WeChat mini-program login and WeChat Pay API v3 (docs/wechat.md). Unset, WeChat is off and its
# notify endpoint answers 404. PEM values are the PEM text itself or the path of a PEM file.
WECHATPAY_MCHID = os.environ.get("WECHATPAY_MCHID", "")
WECHATPAY_APPID = os.environ.get("WECHATPAY_APPID", "")
WECHATPAY_APIV3_KEY = os.environ.get("WECHATPAY_APIV3_KEY", "")
WECHATPAY_PUBLIC_KEY_ID = os.environ.get("WECHATPAY_PUBLIC_KEY_ID", "")
WECHATPAY_PUBLIC_KEY = os.environ.get("WECHATPAY_PUBLIC_KEY", "")
WECHATPAY_MERCHANT_KEY = os.environ.get("WECHATPAY_MERCHANT_KEY", "")
WECHATPAY_MERCHANT_SERIAL = os.environ.get("WECHATPAY_MERCHANT_SERIAL", "")
WECHATPAY_NOTIFY_URL = os.environ.get("WECHATPAY_NOTIFY_URL", "")
WECHAT_APPSECRET = os.environ.get("WECHAT_APPSECRET", "")
WECHATPAY_API_BASE = os.environ.get("WECHATPAY_API_BASE", "https://api.mch.weixin.qq.com")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")

# Order timers (manage.py run_timers), after sky-take-out's OrderTask.
ORDER_PAYMENT_TIMEOUT_MINUTES = float(os.environ.get("ORDER_PAYMENT_TIMEOUT_MINUTES", "15"))
ORDER_DELIVERY_AUTOCOMPLETE_HOURS = float(os.environ.get("ORDER_DELIVERY_AUTOCOMPLETE_HOURS", "2"))
TIMER_INTERVAL_SECONDS = float(os.environ.get("TIMER_INTERVAL_SECONDS", "30"))
# A paid order's pickup code stays valid this long.
PICKUP_CODE_TTL_HOURS = float(os.environ.get("PICKUP_CODE_TTL_HOURS", "24"))
# Long-poll: the longest wait a client may ask for, and the most events in one answer.
EVENTS_POLL_MAX_TIMEOUT = int(os.environ.get("EVENTS_POLL_MAX_TIMEOUT", "30"))
EVENTS_POLL_BATCH = 100

# Alerts: the database is the record; this sweep delivers anything the channel layer missed
# (Redis down, an alert written from a shell) without waiting for the next alert.
ALERT_RECONCILE_SECONDS = float(os.environ.get("ALERT_RECONCILE_SECONDS", "5"))
ALERT_REPLAY_BATCH = 500
# The board repeats a new order's voice alert this often until it is accepted or acknowledged.
ALERT_REPEAT_SECONDS = int(os.environ.get("ALERT_REPEAT_SECONDS", "30"))
# Client frames per socket: `rate` a second with bursts of `burst`; a socket still sending after
# `patience` refused frames in a row is closed with 4429.
WS_FRAME_RATE = float(os.environ.get("WS_FRAME_RATE", "20"))
WS_FRAME_BURST = int(os.environ.get("WS_FRAME_BURST", "40"))
WS_FRAME_PATIENCE = int(os.environ.get("WS_FRAME_PATIENCE", "200"))
# Coalesce presence: at most one presence update per interval per process.
PRESENCE_INTERVAL_SECONDS = float(os.environ.get("PRESENCE_INTERVAL_SECONDS", "1"))

# The collector in a server process (takeout/gcpolicy.py): the young generation is collected
# every GC_YOUNG_THRESHOLD allocations (CPython's default is 700); collections longer than
# GC_SLOW_MS are logged (0: never).
GC_YOUNG_THRESHOLD = int(os.environ.get("GC_YOUNG_THRESHOLD", "50000"))
GC_SLOW_MS = float(os.environ.get("GC_SLOW_MS", "100"))
# Once GC_FREEZE_BURST streams have opened and none has for GC_FREEZE_QUIET_SECONDS, what is alive
# is frozen (0: never); frozen objects go back to the collector every GC_THAW_MINUTES.
GC_FREEZE_BURST = int(os.environ.get("GC_FREEZE_BURST", "200"))
GC_FREEZE_QUIET_SECONDS = float(os.environ.get("GC_FREEZE_QUIET_SECONDS", "1"))
GC_THAW_MINUTES = float(os.environ.get("GC_THAW_MINUTES", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redis_outage": {"()": "takeout.logfilters.RedisOutageFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "channels_redis.pubsub": {"filters": ["redis_outage"]},
    },
}
