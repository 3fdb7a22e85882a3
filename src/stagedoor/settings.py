"""Django settings, derived entirely from `stagedoor.core.config` (the environment)."""

from __future__ import annotations

import os as _os
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url

from stagedoor.core import config as _config

CONFIG = _config.load()

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = CONFIG.var_dir
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = [CONFIG.base_url]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "ninja",
    "stagedoor.core",
    "stagedoor.accounts",
    "stagedoor.rooms",
    "stagedoor.streaming",
    "stagedoor.chat",
    "stagedoor.wallet",
    "stagedoor.payments",
    "stagedoor.verification",
    "stagedoor.moderation",
    "stagedoor.fans",
    "stagedoor.shows",
    "stagedoor.payouts",
    "stagedoor.support",
    "stagedoor.ads",
    "stagedoor.notifications",
    "stagedoor.privacy",
    "stagedoor.community",
    "stagedoor.analytics",
    "stagedoor.affiliates",
    "stagedoor.webhooks",
    "stagedoor.web",
]

MIDDLEWARE = [
    "stagedoor.core.middleware.RequestContextMiddleware",
    "stagedoor.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stagedoor.accounts.middleware.SessionRecordMiddleware",
    "stagedoor.accounts.middleware.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stagedoor.accounts.middleware.EntryConsentMiddleware",
    "stagedoor.accounts.middleware.MfaEnforcementMiddleware",
    "stagedoor.affiliates.middleware.ReferralAttributionMiddleware",
]

ROOT_URLCONF = "stagedoor.urls"
ASGI_APPLICATION = "stagedoor.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stagedoor.web.context.site",
                "stagedoor.web.context.console_nav",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
if CONFIG.database_url:
    DATABASES = {"default": dj_database_url.parse(CONFIG.database_url)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "stagedoor.core.db.postgresql"  # Django's, with our index policy
        # Under ASGI each request runs in its own thread, so per-thread persistent connections
        # would mean a new connection per request; a process-wide pool reuses them instead.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {
                "connect_timeout": 5,
                "pool": {"min_size": 2, "max_size": 20, "timeout": 10},
                # Django's cursors bind client-side and are never prepared; the few hot statements that bind on
                # the server (wallet.fastpath) are prepared by psycopg on their 5th run on a connection.
                "prepare_threshold": 5,
            }
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "stagedoor.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            # Tests use a WAL file too, not shared-cache memory: the live-server browser tests
            # make concurrent requests, and shared-cache SQLite refuses readers during a write.
            # One file per test process, so two test runs on one checkout never share a database.
            "TEST": {"NAME": str(VAR_DIR / f"test-{_os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, jobs, fan-out -------------------------------------------------------------
if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
            "KEY_PREFIX": "stagedoor",
        }
    }
    STAGEDOOR_JOBS_BACKEND = "celery"
    STAGEDOOR_FANOUT_BACKEND = "redis"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stagedoor"}}
    STAGEDOOR_JOBS_BACKEND = "inprocess"
    STAGEDOOR_FANOUT_BACKEND = "inprocess"

# Rate limits (accounts.ratelimit): overrides like "tip=600/60,login=off"; counters in Redis when configured.
STAGEDOOR_RATE_LIMITS = _os.environ.get("STAGEDOOR_RATE_LIMITS", "")
# Roles that must sign in with a passkey (accounts.services.passkeys), e.g. "admin,finance,compliance".
STAGEDOOR_PASSKEY_REQUIRED_ROLES = [
    r.strip() for r in _os.environ.get("STAGEDOOR_PASSKEY_REQUIRED_ROLES", "").split(",") if r.strip()
]

CELERY_BROKER_URL = CONFIG.redis_url or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "stagedoor.core.tasks.outbox_sweep", "schedule": 30.0},
    "chat-presence-rollup": {"task": "stagedoor.run_job", "schedule": 5.0, "args": ["chat.presence_rollup", []]},
    "shows-bill": {"task": "stagedoor.run_job", "schedule": 1.0, "args": ["shows.bill", []]},
    "fans-renew": {"task": "stagedoor.run_job", "schedule": 60.0, "args": ["fans.renew", []]},
    "privacy-due": {"task": "stagedoor.run_job", "schedule": 300.0, "args": ["privacy.due", []]},
    "privacy-retention": {"task": "stagedoor.run_job", "schedule": 86400.0, "args": ["privacy.retention", []]},
    "analytics-rollup": {"task": "stagedoor.run_job", "schedule": 10.0, "args": ["analytics.rollup", []]},
    "community-awards": {"task": "stagedoor.run_job", "schedule": 60.0, "args": ["community.awards", []]},
    "affiliates-postbacks": {"task": "stagedoor.run_job", "schedule": 15.0, "args": ["affiliates.postbacks", []]},
    "support-sla-sweep": {"task": "stagedoor.run_job", "schedule": 60.0, "args": ["support.sla_sweep", []]},
    "support-stream-incidents": {
        "task": "stagedoor.run_job",
        "schedule": 15.0,
        "args": ["support.stream_incidents", []],
    },
    "notifications-sweep": {"task": "stagedoor.run_job", "schedule": 30.0, "args": ["notifications.sweep", []]},
    "webhooks-deliver": {"task": "stagedoor.run_job", "schedule": 5.0, "args": ["webhooks.deliver_due", []]},
}

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 3600

SESSION_COOKIE_NAME = "sd_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CONFIG.tls
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_COOKIE_SECURE = CONFIG.tls
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if CONFIG.tls else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.tls
if CONFIG.tls:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- e-mail ---------------------------------------------------------------------------
_mail = urlparse(CONFIG.email_url)
DEFAULT_FROM_EMAIL = "Stagedoor <no-reply@stagedoor.invalid>"
_mailer: dict[str, object]
if _mail.scheme == "file":
    _mailer = {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": _mail.path}}
elif _mail.scheme == "console":
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
elif _mail.scheme == "locmem":
    _mailer = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
else:
    _port = _mail.port or (465 if _mail.scheme == "smtps" else 587)
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _mail.hostname or "localhost",
            "port": _port,
            "username": unquote(_mail.username or ""),
            "password": unquote(_mail.password or ""),
            "use_ssl": _mail.scheme == "smtps",
            "use_tls": _mail.scheme == "smtp" and _port == 587,
            "timeout": 10,
        },
    }
MAILERS = {"default": _mailer}

# --- i18n / static / media ------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = CONFIG.media_dir
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "stagedoor.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json" if CONFIG.log_json else "plain"}},
    "root": {"handlers": ["stderr"], "level": CONFIG.log_level},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Long-running parts of the all-in-one `stagedoor run` (see core/runtime.py).
STAGEDOOR_EMBEDDED_SERVICES = [
    "stagedoor.streaming.runtime.ingest_service",
    "stagedoor.streaming.runtime.demo_broadcaster",
    "stagedoor.chat.django_gateway.embedded_chat_gateway",
    "stagedoor.chat.presence_rollup.presence_rollup_service",
    "stagedoor.shows.tasks.biller_service",
    "stagedoor.fans.tasks.renewal_service",
    "stagedoor.privacy.tasks.privacy_service",
    "stagedoor.analytics.tasks.rollup_service",
    "stagedoor.community.tasks.awards_service",
    "stagedoor.support.tasks.sla_service",
    "stagedoor.support.tasks.smtp_service",
    "stagedoor.support.tasks.stream_incidents_service",
    "stagedoor.notifications.tasks.sweep_service",
    "stagedoor.affiliates.tasks.postback_service",
    "stagedoor.webhooks.tasks.delivery_service",
]

# Chat runs on a dedicated `websockets` gateway (docs/architecture.md §6): in `run`'s loop or
# standalone (`stagedoor chat`). Browsers connect to STAGEDOOR_CHAT_URL with a signed ticket.
STAGEDOOR_CHAT_HOST = CONFIG.chat_host
STAGEDOOR_CHAT_PORT = CONFIG.chat_port
STAGEDOOR_CHAT_URL = CONFIG.chat_url
STAGEDOOR_CHAT_TRUSTED_PROXIES = list(CONFIG.server.trusted_proxies)  # STAGEDOOR_TRUSTED_PROXIES
STAGEDOOR_CHAT_PLATFORM_WORDS: list[str] = []
STAGEDOOR_PLAYBACK_TTL_S = 1800

# Wallet and payment settings are Django settings so that tests can override them; wallet/conf.py and
# payments/conf.py validate every read with the validator core/config/money.py applied to the environment.
STAGEDOOR_WALLET_PERFORMER_SHARE_BP = CONFIG.wallet.performer_share_bp
STAGEDOOR_WALLET_HOLD_DAYS = CONFIG.wallet.hold_days
STAGEDOOR_WALLET_PAYOUT_RATE_MINOR = CONFIG.wallet.payout_rate_minor
STAGEDOOR_WALLET_PAYOUT_CURRENCY = CONFIG.wallet.payout_currency
STAGEDOOR_WALLET_CHARGEBACK_POLICY = CONFIG.wallet.chargeback_policy
STAGEDOOR_WALLET_MAX_TIP = CONFIG.wallet.max_tip
STAGEDOOR_WALLET_ROLLUP_EVERY = CONFIG.wallet.rollup_every
STAGEDOOR_PAYMENTS_SANDBOX = CONFIG.payments.sandbox  # None: on unless Verotel or BTCPay is configured
STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY = CONFIG.payments.sandbox_delivery
STAGEDOOR_VEROTEL_SHOP_ID = CONFIG.payments.verotel_shop_id  # "": not configured
STAGEDOOR_VEROTEL_SIGNATURE_KEY = CONFIG.payments.verotel_signature_key
STAGEDOOR_VEROTEL_STARTORDER_URL = CONFIG.payments.verotel_startorder_url
STAGEDOOR_BTCPAY_URL = CONFIG.payments.btcpay_url  # "": not configured
STAGEDOOR_BTCPAY_STORE_ID = CONFIG.payments.btcpay_store_id
STAGEDOOR_BTCPAY_API_KEY = CONFIG.payments.btcpay_api_key
STAGEDOOR_BTCPAY_WEBHOOK_SECRET = CONFIG.payments.btcpay_webhook_secret

STAGEDOOR = CONFIG
