"""Settings for Crocevia, read from environment variables with safe embedded defaults."""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-insecure-crocevia-secret-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY") or _DEV_SECRET
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG=0.")

# Never '*': it would silently disable the WebSocket origin check.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "taggit",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "live",
    "community",
    "workspaces",
    "innovation",
    "notifications",
    "search",
    "backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "community.middleware.PermissionScopeMiddleware",
    "community.middleware.PersonMiddleware",
    "community.middleware.UserPreferencesMiddleware",
    # Stamps "last seen" at most once a minute per person (notification e-mails wait
    # for people who are away).
    "notifications.seen.SeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.navigation",
                "community.context_processors.live_limits",
                "workspaces.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite (WAL, immediate transactions) unless DATABASE_URL is set.
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    # Embedded default: create the data directory on first use (fresh clone).
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "crocevia.sqlite3",
            # Keep the connection open across requests and socket operations: reopening
            # SQLite (and running the PRAGMAs) on every call cost a third of a post.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# How long a cache call or a channel-layer command waits for Redis before the site goes
# on without it (live/cache.py, live/outage.py): pages never wait longer than this.
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", 1))
if REDIS_URL:
    _redis_options = {
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        "socket_timeout": REDIS_TIMEOUT_SECONDS,
    }
    CACHES = {
        # While Redis is unreachable, counters and presence go on in each process's
        # memory; sessions are read from the database (no copy outlives a logout).
        "default": {
            "BACKEND": "live.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**_redis_options, "FALLBACK": "memory"},
        },
        "sessions": {
            "BACKEND": "live.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sessions",
            "OPTIONS": {**_redis_options, "FALLBACK": "none"},
        },
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # A Redis that stops answering (not only refusing) must not hold
                # the hub's sends forever: its events then go to local sockets.
                "hosts": [{"address": REDIS_URL, **_redis_options}]
            },
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sessions",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "live.layers.InMemoryLayer"}}

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

AUTH_USER_MODEL = "community.User"
# Django's and allauth's backends, refusing suspended accounts too (community/backends.py).
AUTHENTICATION_BACKENDS = [
    "community.backends.SuspensionAwareModelBackend",
    "community.backends.SuspensionAwareAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "community:home"

# The site's name in emails (allauth would otherwise name it after the request's host).
SITE_NAME = "Crocevia"

# django-allauth: email login, mandatory verification, rate limits on by default.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
# The sign-up form also asks for the display name.
ACCOUNT_FORMS = {"signup": "community.forms.accounts.SignupForm"}
ACCOUNT_USERNAME_MIN_LENGTH = 3

# Email: EMAIL_URL=console:// (default), smtp://user:pass@host:587?tls=1, locmem://,
# file:///path/to/dir (one file per message; the browser tests read it).
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
_email = urlparse(EMAIL_URL)
if _email.scheme in {"smtp", "smtps"}:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = "tls=1" in (_email.query or "")
elif _email.scheme == "locmem":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif _email.scheme == "file":
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(unquote(_email.path))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Crocevia <noreply@crocevia.local>"
)
# The site's address as e-mails link to it (no request when a task sends them).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# A mention, reply or invitation is e-mailed when the person was not seen on the site
# for this many minutes after it and has not read it.
NOTIFICATION_EMAIL_AFTER_MINUTES = int(
    os.environ.get("NOTIFICATION_EMAIL_AFTER_MINUTES", 10)
)
# Notifications older than this are no longer e-mailed one by one (the digest has them).
NOTIFICATION_EMAIL_WINDOW_HOURS = int(
    os.environ.get("NOTIFICATION_EMAIL_WINDOW_HOURS", 48)
)
# Days an e-mail's unsubscribe link stays valid.
NOTIFICATION_UNSUBSCRIBE_DAYS = int(
    os.environ.get("NOTIFICATION_UNSUBSCRIBE_DAYS", 365)
)

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats read before Django's: config/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Media (avatars, documents) stays private: served only through views.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
# Days an invitation to a workspace (and its signed link) stays valid.
WORKSPACE_INVITATION_DAYS = 14
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 25 * 1024 * 1024))
AVATAR_MAX_BYTES = int(os.environ.get("AVATAR_MAX_BYTES", 2 * 1024 * 1024))
# Attachments of posts and room messages (the upload limit and checks are the
# documents'): images above this many pixels are refused before decoding; images are
# stored at most IMAGE_MAX_SIDE pixels a side, shown as thumbnails of
# ATTACHMENT_THUMBNAIL_SIDE; uploads never sent are removed after
# ATTACHMENT_PENDING_HOURS.
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 40_000_000))
IMAGE_MAX_SIDE = int(os.environ.get("IMAGE_MAX_SIDE", 4096))
ATTACHMENT_THUMBNAIL_SIDE = 480
ATTACHMENTS_PER_POST = int(os.environ.get("ATTACHMENTS_PER_POST", 10))
ATTACHMENTS_PENDING_MAX = int(os.environ.get("ATTACHMENTS_PENDING_MAX", 20))
ATTACHMENT_PENDING_HOURS = int(os.environ.get("ATTACHMENT_PENDING_HOURS", 24))
# Days a published or renewed technology offer stays listed (innovation).
OFFER_LIFETIME_DAYS = int(os.environ.get("OFFER_LIFETIME_DAYS", 365))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# "AI" and "ai" are one tag across every tag set.
TAGGIT_CASE_INSENSITIVE = True

# Content limits, enforced by services.
THREAD_TITLE_MAX_LENGTH = int(os.environ.get("THREAD_TITLE_MAX_LENGTH", 200))
POST_BODY_MAX_LENGTH = int(os.environ.get("POST_BODY_MAX_LENGTH", 20_000))
POSTS_PER_PAGE = 30
THREADS_PER_PAGE = 30
DIRECTORY_PAGE_SIZE = 24

# Rate limits: action -> (count, seconds), enforced in services through the cache.
RATE_LIMITS = {
    "post": (int(os.environ.get("RATE_LIMIT_POSTS", 30)), 60),
    "thread": (int(os.environ.get("RATE_LIMIT_THREADS", 10)), 600),
    "join": (int(os.environ.get("RATE_LIMIT_JOINS", 20)), 600),
    "invite": (int(os.environ.get("RATE_LIMIT_INVITES", 50)), 3600),
    "upload": (int(os.environ.get("RATE_LIMIT_UPLOADS", 30)), 3600),
    "organisation": (int(os.environ.get("RATE_LIMIT_ORGANISATIONS", 5)), 3600),
    "report": (int(os.environ.get("RATE_LIMIT_REPORTS", 20)), 3600),
    # Reactions: a click each (adding and taking back count alike).
    "react": (int(os.environ.get("RATE_LIMIT_REACTIONS", 60)), 60),
    # Mention suggestions: a few letters typed after "@" are one request each.
    "mentions": (int(os.environ.get("RATE_LIMIT_MENTIONS", 120)), 60),
    # The composer: its Markdown preview and its draft, saved while typing.
    "preview": (int(os.environ.get("RATE_LIMIT_PREVIEWS", 60)), 60),
    "draft": (int(os.environ.get("RATE_LIMIT_DRAFTS", 60)), 60),
    # New direct conversations with strangers (people sharing no community,
    # workspace or organisation), per day.
    "direct_stranger": (int(os.environ.get("RATE_LIMIT_DIRECT_STRANGERS", 10)), 86400),
}

# A moderator's claim on a review item lapses after this many minutes (others may
# take the item); owners and staff may take it over sooner.
REVIEW_CLAIM_MINUTES = int(os.environ.get("REVIEW_CLAIM_MINUTES", 30))

# HTTP under daphne: the long-lived threads that run requests' sync code (config/http.py).
HTTP_THREADS = int(os.environ.get("HTTP_THREADS", 2))

# Live engine.
# daphne applies its limits (the same value) to what it sends too: a post's event carries
# it rendered three times, JSON-escaped, 723 KB for 20,000 emoji. community/checks.py
# refuses a limit too small for the longest post sent, and warns below its event.
LIVE_MAX_FRAME_BYTES = int(os.environ.get("LIVE_MAX_FRAME_BYTES", 1024 * 1024))
EVENT_RETENTION_DAYS = int(os.environ.get("EVENT_RETENTION_DAYS", 30))
LIVE_REPLAY_LIMIT = int(os.environ.get("LIVE_REPLAY_LIMIT", 1000))
LIVE_MAX_SUBSCRIPTIONS = int(os.environ.get("LIVE_MAX_SUBSCRIPTIONS", 100))
LIVE_GROUP_REFRESH_SECONDS = int(os.environ.get("LIVE_GROUP_REFRESH_SECONDS", 3600))
LIVE_PRESENCE_TTL_SECONDS = int(os.environ.get("LIVE_PRESENCE_TTL_SECONDS", 60))
LIVE_PRESENCE_HEARTBEAT_SECONDS = int(
    os.environ.get("LIVE_PRESENCE_HEARTBEAT_SECONDS", 25)
)
LIVE_SWEEP_SECONDS = float(os.environ.get("LIVE_SWEEP_SECONDS", 5))
# How long a hub holds events that arrive ahead of a stream's next seq (another process
# committed earlier and its message is still on the way) before handing them on anyway.
LIVE_REORDER_SECONDS = float(os.environ.get("LIVE_REORDER_SECONDS", 0.2))
LIVE_TYPING_THROTTLE_SECONDS = int(os.environ.get("LIVE_TYPING_THROTTLE_SECONDS", 3))
# Refused subscribes a socket may make per minute (each costs a database lookup).
LIVE_SUBSCRIBE_REFUSALS = int(os.environ.get("LIVE_SUBSCRIBE_REFUSALS", 20))
# Bytes that may wait for one socket whose client does not read them (in daphne's
# buffer, or queued for a server that makes sends wait): past it the socket is closed
# (live.wire.CLOSE_TOO_SLOW) and the page catches up from the Event table.
LIVE_SOCKET_BACKLOG_BYTES = int(
    os.environ.get("LIVE_SOCKET_BACKLOG_BYTES", 4 * 1024 * 1024)
)
# Origins, besides the site's own, whose pages may open the live socket.
LIVE_ALLOWED_ORIGINS = env_list("LIVE_ALLOWED_ORIGINS", [])

# Sessions are kept in the database and read through a cache of their own (every
# signed-in page reads its session: a cache hit instead of a query). Their own cache,
# so that sessions never push rate-limit counters or presence out of the default one.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# Security.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # channels_redis logs a traceback a second while Redis is down: live/outage.py
    # logs one warning per outage instead.
    "filters": {"redis_outage": {"()": "live.outage.LayerErrorFilter"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "channels_redis.pubsub": {"filters": ["redis_outage"]},
    },
}
