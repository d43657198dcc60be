"""Settings for 一盘棋, read from the environment (see .env.example)."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from yipanqi.core.env import ConfigError, database_from_url, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

DEBUG = envbool("YIPANQI_DEBUG", False)
# Tests and the demo run set YIPANQI_DEV=1; production must supply every secret itself.
DEV = envbool("YIPANQI_DEV", DEBUG)

SECRET_KEY = envstr("YIPANQI_SECRET_KEY")
if not SECRET_KEY:
    if not DEV:
        raise ConfigError("YIPANQI_SECRET_KEY is required outside development (YIPANQI_DEV=1)")
    SECRET_KEY = "dev-only-insecure-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105

# Field encryption (P5): "1:<base64 32 bytes>,2:<...>"; the highest version encrypts new values.
FIELD_ENCRYPTION_KEYS = envstr("YIPANQI_FIELD_KEYS")
BLIND_INDEX_KEY = envstr("YIPANQI_BLIND_INDEX_KEY")
if not FIELD_ENCRYPTION_KEYS or not BLIND_INDEX_KEY:
    if not DEV:
        raise ConfigError(
            "YIPANQI_FIELD_KEYS and YIPANQI_BLIND_INDEX_KEY are required outside development"
        )
    # Fixed development keys, so a demo database survives restarts. Never used in production.
    FIELD_ENCRYPTION_KEYS = (
        FIELD_ENCRYPTION_KEYS or "1:ZGV2LW9ubHkta2V5LWZvci15aXBhbnFpLWRlbW8tMDE="
    )
    BLIND_INDEX_KEY = BLIND_INDEX_KEY or "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LXlpcGFucWk="

# Audit hash chain (issue 7): HMAC key, base64 of >= 32 bytes; separate from the field keys.
AUDIT_HMAC_KEY = envstr("YIPANQI_AUDIT_KEY")
if not AUDIT_HMAC_KEY:
    if not DEV:
        raise ConfigError("YIPANQI_AUDIT_KEY is required outside development")
    AUDIT_HMAC_KEY = "ZGV2LW9ubHktYXVkaXQtY2hhaW4ta2V5LXlpcGFucWktMDE="
# Audit rows are never purged before this many days (PIPL; 等保 asks for at least 6 months).
AUDIT_RETENTION_DAYS = max(envint("YIPANQI_AUDIT_RETENTION_DAYS", 365), 183)
# Reverse proxies in front of the app whose X-Forwarded-For is believed (0: none).
TRUSTED_PROXY_COUNT = envint("YIPANQI_TRUSTED_PROXIES", 0)

ALLOWED_HOSTS = envlist("YIPANQI_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("YIPANQI_CSRF_TRUSTED_ORIGINS", [])

# Reference data lives outside the repository; a deployment points this elsewhere.
DATA_DIR = Path(envstr("YIPANQI_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
VAR_DIR = Path(envstr("YIPANQI_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "yipanqi.core",
    "yipanqi.divisions",
    "yipanqi.workdays",
    "yipanqi.accounts",
    "yipanqi.audit",
    "yipanqi.people",
    "yipanqi.exchange",
    "yipanqi.certificates",
    "yipanqi.births",
    "yipanqi.services",
    "yipanqi.grievances",
    "yipanqi.directory",
    "yipanqi.imports",
    "yipanqi.stats",
    "yipanqi.demo",
    "yipanqi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yipanqi.web.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "yipanqi.urls"
WSGI_APPLICATION = "yipanqi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yipanqi.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(envstr("DATABASE_URL", "sqlite:///var/yipanqi.sqlite3"), BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("YIPANQI_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_AGE = envint("YIPANQI_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEV
CSRF_COOKIE_SECURE = not DEV
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("YIPANQI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("YIPANQI_LOG_LEVEL", "INFO")},
}
