"""One settings module, driven by the environment.

Production sets DATABASE_URL, DJANGO_SECRET_KEY, TUANWU_FIELD_KEYS, TUANWU_BLIND_INDEX_KEY and
DJANGO_ALLOWED_HOSTS. Development needs none of them: secrets are generated into var/secrets/
(mode 0600) on first start, and the project's own PostgreSQL is used (config/dbserver.py).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUANWU_VAR_DIR", BASE_DIR / "var"))
SECRETS_DIR = VAR_DIR / "secrets"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = env.bool("TUANWU_TESTING", default=False)


def dev_secret(name: str, env_name: str, generate=lambda: secrets.token_urlsafe(48)) -> str:
    """Read a secret from the environment, else from var/secrets/<name> (created 0600 once)."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = SECRETS_DIR / name
    if not path.exists():
        SECRETS_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(generate())
    return path.read_text().strip()


SECRET_KEY = dev_secret("django_secret_key", "DJANGO_SECRET_KEY")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


# Personal data at rest: field keys in Fernet key format, AES-GCM keys derived from them (comma-separated,
# first = current; older ones still decrypt until `manage.py rotate_field_keys` has re-encrypted
# everything) and the HMAC blind-index key.
TUANWU_FIELD_KEYS = [k.strip() for k in dev_secret("field_keys", "TUANWU_FIELD_KEYS", generate=_fernet_key).split(",")
                     if k.strip()]
TUANWU_BLIND_INDEX_KEY = dev_secret("blind_index_key", "TUANWU_BLIND_INDEX_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # ninja as an app so the API docs page uses its bundled Swagger UI assets, not a CDN.
    "ninja",
    "template_partials",
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tuanwu.core",
    "tuanwu.accounts",
    "tuanwu.organisations",
    "tuanwu.people",
    "tuanwu.membership",
    "tuanwu.activities",
    "tuanwu.volunteering",
    "tuanwu.elections",
    "tuanwu.cadres",
    "tuanwu.governance",
    "tuanwu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tuanwu.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuanwu.core.middleware.RequestContextMiddleware",
    "tuanwu.accounts.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tuanwu.core.context_processors.navigation",
            ],
        },
    }
]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from config import dbserver

    return dbserver.current_url() or dbserver.ensure_running()


DATABASES = {"default": env.db_url_config(_database_url())}
# Another database on the same server (make demo-check loads the demo into tuanwu_demo_check).
if os.environ.get("TUANWU_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["TUANWU_DATABASE_NAME"]
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
# Parallel test runs (several developers' checkouts, or helpers) each get their own test database.
DATABASES["default"]["TEST"] = {"NAME": "test_tuanwu" + os.environ.get("TUANWU_TEST_DB_SUFFIX", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is not what the tests measure; argon2 stays the production hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("TUANWU_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env.int("TUANWU_SESSION_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("TUANWU_HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
UPLOAD_DIR = VAR_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env.bool("TUANWU_TASKS_IMMEDIATE", default=TESTING)
        else "django_tasks_db.DatabaseBackend",
    }
}

# Rows above which an import is validated and committed by the background worker.
TUANWU_IMPORT_BACKGROUND_ROWS = env.int("TUANWU_IMPORT_BACKGROUND_ROWS", default=500)
# From this many rows, a members check stages its clean rows (pinyin, encryption, COPY) in a
# helper process while it goes on validating: two cores instead of one. 0: never.
TUANWU_IMPORT_PARALLEL_ROWS = env.int("TUANWU_IMPORT_PARALLEL_ROWS", default=20000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"chinese_axes": {"()": "tuanwu.core.logs.ChineseAxesMessages"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["chinese_axes"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Lockout is per user name on purpose: a township office puts many secretaries behind one NAT
# address, and locking the address would lock them all out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
