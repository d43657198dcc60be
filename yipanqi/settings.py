"""Settings for 一盘棋, read from the environment (see .env.example)."""

import datetime as dt
from pathlib import Path

from django.utils.csp import CSP
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
# Periodic jobs (yipanqi scheduler, issue 14.3): the deadline sweep and the audit checkpoint.
SWEEP_EVERY_SECONDS = max(envint("YIPANQI_SWEEP_EVERY_SECONDS", 3600), 60)
AUDIT_CHECKPOINT_EVERY_SECONDS = max(envint("YIPANQI_AUDIT_CHECKPOINT_EVERY_SECONDS", 3600), 60)
# Prometheus scrapes /metrics with this bearer token (empty: only the system administrator).
METRICS_TOKEN = envstr("YIPANQI_METRICS_TOKEN")
# Reverse proxies in front of the app whose X-Forwarded-For is believed (0: none).
TRUSTED_PROXY_COUNT = envint("YIPANQI_TRUSTED_PROXIES", 0)

ALLOWED_HOSTS = envlist("YIPANQI_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("YIPANQI_CSRF_TRUSTED_ORIGINS", [])

# Reference data lives outside the repository; a deployment points this elsewhere.
DATA_DIR = Path(envstr("YIPANQI_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
VAR_DIR = Path(envstr("YIPANQI_VAR_DIR", str(BASE_DIR / "var")))
# Signed checkpoints of the audit chain head, outside the database (issue 16.8): append-only;
# keep it on other storage than the database (or ship the log lines that repeat it).
AUDIT_ANCHOR_FILE = Path(envstr("YIPANQI_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl")))
# The TrueType Chinese font embedded in PDFs (.ttf, or .ttc with the index of the font in it);
# empty: the Debian font scripts/setup installs (yipanqi.core.pdffonts).
PDF_FONT_FILE = envstr("YIPANQI_PDF_FONT")
PDF_FONT_INDEX = envint("YIPANQI_PDF_FONT_INDEX", 0)

INSTALLED_APPS = [
    "yipanqi.accounts.apps.AdminConfig",  # the admin site with 三员分立 and a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "yipanqi.accounts.apps.AxesConfig",  # django-axes: failed log-ins counted in the database
    "django_otp",
    "yipanqi.accounts.apps.OtpTotpConfig",  # django_otp.plugins.otp_totp: TOTP second factor
    "yipanqi.core",
    "yipanqi.ops",  # periodic jobs run once per period across nodes (yipanqi scheduler)
    "yipanqi.divisions",
    "yipanqi.workdays",
    "yipanqi.regions",
    "yipanqi.ledger",  # the statistics counters, below every domain that counts a fact
    "yipanqi.accounts",
    "yipanqi.audit",
    "yipanqi.emergency",
    "yipanqi.people",
    "yipanqi.exchange",
    "yipanqi.certificates",
    "yipanqi.births",
    "yipanqi.services",
    "yipanqi.grievances",
    "yipanqi.directory",
    "yipanqi.feeds",
    "yipanqi.imports",
    "yipanqi.stats",
    "yipanqi.demo",
    "yipanqi.web",
]

MIDDLEWARE = [
    "yipanqi.core.logs.RequestIdMiddleware",  # first: every later log line carries the id
    "yipanqi.ops.metrics.MetricsMiddleware",  # Prometheus: each answer counted and timed
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "yipanqi.core.bodylimit.RequestSizeMiddleware",  # 413 before an oversized body is read
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yipanqi.core.middleware.NoStoreMiddleware",
    "yipanqi.core.busy.DatabaseBusyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yipanqi.web.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "yipanqi.api.v1.errors.ApiAnswersMiddleware",  # API: client's language, JSON 404s
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yipanqi.accounts.middleware.SessionPolicyMiddleware",
    "yipanqi.accounts.apiguard.ApiGuardMiddleware",
    "yipanqi.imports.guard.UploadSizeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
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
# Password policy (issue 7.1), 等保 defaults, each configurable from the environment.
PASSWORD_MIN_CLASSES = envint("YIPANQI_PASSWORD_MIN_CLASSES", 3)  # of lower, upper, digit, other
PASSWORD_HISTORY_COUNT = envint("YIPANQI_PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = envint("YIPANQI_PASSWORD_MAX_AGE_DAYS", 90)  # 0: never expires
# zxcvbn's score a password needs (0-4; 3: about 10^8 guesses), issue 16.9.
PASSWORD_MIN_STRENGTH = envint("YIPANQI_PASSWORD_MIN_STRENGTH", 3)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("YIPANQI_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "yipanqi.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "yipanqi.accounts.passwords.PasswordHistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "yipanqi.accounts.passwords.UserNameInPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "yipanqi.accounts.passwords.StrengthValidator"},
    {"NAME": "yipanqi.accounts.passwords.DemoPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",  # refuses a locked account before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Failed log-ins (issue 16 item 6, OWASP ASVS 5.0 V6.3): nothing an attacker does from one
# address can lock a user out elsewhere. django-axes (database) locks one account *from one
# address* after N failures; beyond that, core.Throttle rows slow guessing down with exponential
# back-off (base·2^k seconds, at most _BACKOFF_MAX_SECONDS) per account across all addresses and
# per address across all accounts (password spraying; a generous budget for an office behind one
# NAT address). A browser that has logged in as the account before (signed cookie) is exempt
# from both back-offs. The security administrator lifts a lock or back-off in the admin site.
AXES_FAILURE_LIMIT = envint("YIPANQI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("YIPANQI_LOGIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "yipanqi.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "yipanqi.core.origin.client_ip"
AXES_VERBOSE = False
LOGIN_ACCOUNT_FAILURE_LIMIT = envint("YIPANQI_LOGIN_ACCOUNT_FAILURE_LIMIT", 10)  # then back-off
LOGIN_ADDRESS_FAILURE_LIMIT = envint("YIPANQI_LOGIN_ADDRESS_FAILURE_LIMIT", 50)  # then back-off
LOGIN_FAILURE_WINDOW_MINUTES = envint("YIPANQI_LOGIN_FAILURE_WINDOW_MINUTES", 60)
LOGIN_BACKOFF_MAX_SECONDS = envint("YIPANQI_LOGIN_BACKOFF_MAX_SECONDS", 15 * 60)
LOGIN_KNOWN_DEVICE_DAYS = envint("YIPANQI_LOGIN_KNOWN_DEVICE_DAYS", 90)
THROTTLE_BACKOFF_BASE_SECONDS = envint("YIPANQI_BACKOFF_BASE_SECONDS", 2)
# Second factor: mandatory for administrators (county and up, and the three separated roles).
ADMIN_OTP_REQUIRED = envbool("YIPANQI_ADMIN_OTP_REQUIRED", True)
# Issue 12.1: django-otp never shows a device secret in the admin (accounts/admin.py replaces
# its admin classes as well), and django-axes keeps no form token in its attempt rows.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AXES_SENSITIVE_PARAMETERS = ["csrfmiddlewaretoken", "token", "otp_token"]
OTP_TOTP_ISSUER = "Yipanqi"
# Break-the-glass (issue 7.4): grants a day, and look-ups a day, found or not (issue 16 item 5).
BREAK_GLASS_HOURS = envint("YIPANQI_BREAK_GLASS_HOURS", 2)
BREAK_GLASS_PER_DAY = envint("YIPANQI_BREAK_GLASS_PER_DAY", 5)
BREAK_GLASS_LOOKUPS_PER_DAY = envint("YIPANQI_BREAK_GLASS_LOOKUPS_PER_DAY", 10)
# Rate limits (issue 7.6): per client address for log-in, per user or address for the API;
# counted in the database (core.Throttle), so every worker process shares them.
LOGIN_RATE_PER_MINUTE = envint("YIPANQI_LOGIN_RATE_PER_MINUTE", 20)
API_RATE_PER_MINUTE = envint("YIPANQI_API_RATE_PER_MINUTE", 600)
# Bad bearer tokens per address: free ones per window, then back-off for bad tokens only.
API_BAD_TOKEN_LIMIT = envint("YIPANQI_API_BAD_TOKEN_LIMIT", 20)
API_BAD_TOKEN_WINDOW_MINUTES = envint("YIPANQI_API_BAD_TOKEN_WINDOW_MINUTES", 30)
API_BAD_TOKEN_BACKOFF_MAX_SECONDS = envint("YIPANQI_API_BAD_TOKEN_BACKOFF_MAX_SECONDS", 30 * 60)
# The citizen's complaint form and status look-up, per connection per hour (R-GRV-1).
COMPLAINTS_PER_HOUR = envint("YIPANQI_COMPLAINTS_PER_HOUR", 5)
COMPLAINT_LOOKUP_FAILURES_PER_HOUR = envint("YIPANQI_COMPLAINT_LOOKUP_FAILURES_PER_HOUR", 20)
# R-STAT-5: the sex ratio at birth is judged against 103-107 only from this many births (boys
# and girls) in the place and period; below it the sample is too small to say anything (one
# birth is a ratio of 0 or infinity). About 1,000 births still leave the ratio uncertain by
# +-6; the setting lets a province ask for more.
SEX_RATIO_MIN_BIRTHS = envint("YIPANQI_SEX_RATIO_MIN_BIRTHS", 1000)
# The API docs page and OpenAPI document: public in development, else signed-in users only.
API_DOCS_PUBLIC = envbool("YIPANQI_API_DOCS_PUBLIC", DEV)
# An API request's Idempotency-Key and its stored answer are kept this long (issue 12.17).
API_IDEMPOTENCY_SECONDS = envint("YIPANQI_API_IDEMPOTENCY_SECONDS", 24 * 3600)

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

# Sessions (issue 7.1): absolute and idle time-outs, enforced by SessionPolicyMiddleware.
# Database sessions whose idle-clock refresh waits only briefly for SQLite's write lock.
SESSION_ENGINE = "yipanqi.accounts.sessions"
SESSION_COOKIE_AGE = envint("YIPANQI_SESSION_SECONDS", 8 * 3600)
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
SESSION_IDLE_SECONDS = envint("YIPANQI_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEV
CSRF_COOKIE_SECURE = not DEV
CSRF_COOKIE_HTTPONLY = True
# Web hardening (issue 7.6). HTTPS is terminated here or by a trusted proxy that says so.
SECURE_SSL_REDIRECT = envbool("YIPANQI_SSL_REDIRECT", not DEV)
# A load balancer probes each node over plain HTTP on the private network (issue 14.6).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if envbool("YIPANQI_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("YIPANQI_HSTS_SECONDS", 0 if DEV else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (issue 16.11): no page uses a device or a browser power; all are off, for
# our pages and for anything framed in them (django-permissions-policy's middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Content-Security-Policy (Django's own): only our own scripts and styles. The two hashes are
# the language picker's onchange handler and htmx's indicator style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [
        CSP.SELF,
        CSP.UNSAFE_HASHES,
        "'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='",
    ],
    "style-src": [CSP.SELF, "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Request size limits: form and JSON bodies, uploaded files, number of form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("YIPANQI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("YIPANQI_FILE_UPLOAD_MEMORY_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("YIPANQI_MAX_FORM_FIELDS", 2000)
DATA_UPLOAD_MAX_NUMBER_FILES = envint("YIPANQI_MAX_UPLOAD_FILES", 20)
# Imported files (issue 16.1, imports/guard.py): checked before any reader opens them, and read
# in a process of their own with a memory and CPU limit (imports/sheets.py).
IMPORT_MAX_BYTES = envint("YIPANQI_IMPORT_MAX_MB", 200) * 1024 * 1024
IMPORT_MAX_UNZIPPED_BYTES = envint("YIPANQI_IMPORT_MAX_UNZIPPED_MB", 2048) * 1024 * 1024
IMPORT_MAX_ZIP_RATIO = envint("YIPANQI_IMPORT_MAX_ZIP_RATIO", 100)
IMPORT_MAX_ZIP_MEMBERS = envint("YIPANQI_IMPORT_MAX_ZIP_MEMBERS", 1000)
IMPORT_MAX_ROWS = envint("YIPANQI_IMPORT_MAX_ROWS", 2_000_000)
IMPORT_MAX_COLUMNS = envint("YIPANQI_IMPORT_MAX_COLUMNS", 256)
IMPORT_READER_MEMORY_BYTES = envint("YIPANQI_IMPORT_READER_MEMORY_MB", 6144) * 1024 * 1024
IMPORT_READER_CPU_SECONDS = envint("YIPANQI_IMPORT_READER_CPU_SECONDS", 900)
# SQLite: a read's audit row waits this long for the write lock (a large import holds it), then
# goes to the durable spool and the read goes on (audit/spool.py, issue 16.2).
AUDIT_SPOOL_AFTER_MS = envint("YIPANQI_AUDIT_SPOOL_AFTER_MS", 2000)
# A running import with no sign of life for this long is marked failed and can be started again.
IMPORT_STALE_SECONDS = envint("YIPANQI_IMPORT_STALE_SECONDS", 900)
FILE_UPLOAD_HANDLERS = [
    "yipanqi.imports.guard.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Personal data never in logs or error reports (issue 7.5).
DEFAULT_EXCEPTION_REPORTER_FILTER = "yipanqi.core.logs.SensitiveExceptionReporterFilter"

# Log lines: JSON, one object per line with the request id, outside development (issue 14.6);
# YIPANQI_LOG_FORMAT=text or json chooses either way.
LOG_FORMAT = envstr("YIPANQI_LOG_FORMAT", "text" if DEV else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "yipanqi.core.logs.RedactPersonalData"},
        "request_id": {"()": "yipanqi.core.logs.AddRequestId"},
    },
    "formatters": {
        "json": {"()": "yipanqi.core.logs.JsonLines"},
        "text": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact", "request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": envstr("YIPANQI_LOG_LEVEL", "INFO")},
}
