"""Thrive's one settings module, configured from the environment.

``THRIVE_ENV=production`` turns on the hardened defaults that pass
``manage.py check --deploy``; everything else has a safe local default so the laptop
install needs no configuration at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from thrive.core.config import (
    ConfigError,
    data_dir,
    env_bool,
    env_float,
    env_int,
    env_list,
    install_secret_key,
    is_known_key,
    mailer_settings,
    rate_limits,
    trusted_proxy,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir(BASE_DIR)

THRIVE_ENV = os.environ.get("THRIVE_ENV", "development").strip().lower()
if THRIVE_ENV not in {"development", "production", "test"}:
    raise ConfigError(f"THRIVE_ENV={THRIVE_ENV!r}; use development, production or test")
PRODUCTION = THRIVE_ENV == "production"

DEBUG = env_bool("DEBUG", default=False)

_secret = os.environ.get("SECRET_KEY", "").strip()
# Where the key came from: "environment", or "file" for a laptop install's own key kept
# in the data folder (the deploy check refuses that one).
THRIVE_SECRET_KEY_SOURCE = "environment" if _secret else "file"
if PRODUCTION and not _secret:
    raise ConfigError("SECRET_KEY must be set in production (50+ random characters)")
if PRODUCTION and is_known_key(_secret, DATA_DIR):
    raise ConfigError(
        "SECRET_KEY is a known key (the old development key or this data folder's "
        "laptop key); set a new random one for production"
    )
SECRET_KEY = _secret or install_secret_key(DATA_DIR)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The TLS proxy in front (docs/operations.md): `thrive serve` takes the client's address and
# the scheme from its X-Forwarded-* headers and from no one else's. Waitress options.
THRIVE_TRUSTED_PROXY = trusted_proxy()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "thrive.core",
    "thrive.accounts",
    "thrive.tasks",
    "thrive.contacts",
    "thrive.segments",
    "thrive.commerce",
    "thrive.analytics",
    "thrive.outreach",
    "thrive.voice",
    "thrive.automations",
    "thrive.growth",
    "thrive.imports",
    "thrive.portability",
    "thrive.webhooks",
    "thrive.bookings",
    "thrive.service",
    "thrive.prospects",
    "thrive.leadforms",
    "thrive.helpcentre",
    "thrive.api",
    "ninja",
    "thrive.demo",
    "thrive.workspace",
    "thrive.digests",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files and their 404s carry the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Times shown and typed in the associate's (else the business's) zone.
    "thrive.workspace.middleware.ReaderTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "thrive.urls"
WSGI_APPLICATION = "thrive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "thrive" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "thrive.accounts.context_processors.thrive",
                # The business's name, logo and colour on public pages (thrive.core.brand).
                "thrive.core.brand.context",
                "thrive.workspace.context_processors.navigation",
                "django.template.context_processors.csp",
            ],
            # {{ when|local_time }}: every time shown says its zone.
            "builtins": ["thrive.core.templatetags.zoned"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'thrive.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the worker write while the web process reads; IMMEDIATE transactions take
    # the write lock up front so concurrent writers queue instead of failing mid-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
        ),
    }

# A PostgreSQL read replica for the pages that only show figures (thrive.core.replica):
# the same database, reached through a hot standby. In tests it mirrors the default.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["thrive.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Associate"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# The business's own zone, currency and name are kept by the owner on the settings page;
# an environment variable set here wins over it. Defined only when set, so "a setting
# wins" means the server really set it: read them through thrive.core.business.
if os.environ.get("THRIVE_TIME_ZONE", "").strip():
    THRIVE_TIME_ZONE = os.environ["THRIVE_TIME_ZONE"].strip()
if os.environ.get("THRIVE_CURRENCY", "").strip():
    THRIVE_CURRENCY = os.environ["THRIVE_CURRENCY"].strip().upper()
THRIVE_PHONE_REGION = os.environ.get("THRIVE_PHONE_REGION", "US").upper()
# Gross margin used for predicted customer value (1.0 = revenue-based, no margin).
THRIVE_GROSS_MARGIN = float(os.environ.get("THRIVE_GROSS_MARGIN", "1.0"))
if os.environ.get("THRIVE_BUSINESS_NAME", "").strip():
    THRIVE_BUSINESS_NAME = os.environ["THRIVE_BUSINESS_NAME"].strip()
# REST API requests per token (or signed-in associate) per minute.
THRIVE_API_RATE_PER_MINUTE = env_int("THRIVE_API_RATE_PER_MINUTE", 600, minimum=1)
# Webhook tries per delivery, and the first wait between tries (doubling each time).
THRIVE_WEBHOOKS_MAX_ATTEMPTS = env_int("THRIVE_WEBHOOKS_MAX_ATTEMPTS", 8, minimum=1)
THRIVE_WEBHOOKS_RETRY_SECONDS = env_float("THRIVE_WEBHOOKS_RETRY_SECONDS", 30.0, minimum=0.0)
# Changes to the limits on sign-in and public forms (docs/operations.md lists the names).
THRIVE_RATE_LIMITS = rate_limits(os.environ.get("THRIVE_RATE_LIMITS", ""))

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
# Static files live in each app (thrive/<app>/static/<app>/), found by the app finder.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A background job whose worker gives no heartbeat for this long is taken over (resumed or
# failed) by the sweep every worker runs this often (thrive.core.jobs).
THRIVE_JOB_LEASE_SECONDS = float(os.environ.get("THRIVE_JOB_LEASE_SECONDS", "60"))
THRIVE_JOB_SWEEP_SECONDS = float(os.environ.get("THRIVE_JOB_SWEEP_SECONDS", "15"))

# Locally mail is printed to the console; production defaults to a local MTA.
_default_email = "smtp://localhost:25" if PRODUCTION else "console:"
if os.environ.get("EMAIL_URL", "").strip():
    MAILERS = {"default": mailer_settings(os.environ["EMAIL_URL"])}
else:
    # No EMAIL_URL: the SMTP server kept on the settings page when switched on, else the
    # default above (thrive.core.business.mail_delivery decides, per connection).
    MAILERS = {
        "default": {
            "BACKEND": "thrive.core.mail_backend.EmailBackend",
            "OPTIONS": {"fallback": _default_email},
        }
    }
# The sender is kept on the settings page (default: the business's name on
# thrive@localhost); DEFAULT_FROM_EMAIL, when set, fixes the address.
if os.environ.get("DEFAULT_FROM_EMAIL", "").strip():
    DEFAULT_FROM_EMAIL = os.environ["DEFAULT_FROM_EMAIL"].strip()

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (docs/security.md): scripts and styles only
# from this site's static files (a per-response nonce where something must be inline),
# no plugins, no other site may frame a page, forms post only here. A view that needs
# another policy (the email preview frame) says so with csp_override.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy the original scheme arrives in this header. It is
    # believed only from the trusted proxy: waitress drops it from anyone else, so without
    # one every https request would look like http and redirect to itself.
    if THRIVE_TRUSTED_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    elif env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        raise ConfigError(
            "SECURE_PROXY_SSL_HEADER needs THRIVE_TRUSTED_PROXY, the proxy's address "
            "(127.0.0.1 for nginx on this machine): see docs/operations.md"
        )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs "Step 1 … Step 7" of every PDF at INFO; its warnings still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
