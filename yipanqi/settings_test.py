"""Test settings: development keys, a fast password hasher, nothing else different."""

import os

os.environ.setdefault("YIPANQI_DEV", "1")

from yipanqi.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Security controls that would get in the way of every other test; tests/test_security_*.py
# switch them on where they prove them (settings fixture).
ADMIN_OTP_REQUIRED = False
API_RATE_PER_MINUTE = 0
LOGIN_RATE_PER_MINUTE = 0

# SQLite tests use a file in WAL mode, as production does, not a shared-cache in-memory database:
# background threads (imports) and the live server then wait for locks (busy_timeout) instead of
# failing with "database table is locked". Commits skip fsync: a test database needs no
# durability (tests/test_durability.py runs its own servers on their own files).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = DATABASES["default"]["OPTIONS"][  # noqa: F405
        "init_command"
    ].replace("PRAGMA synchronous=FULL;", "PRAGMA synchronous=OFF;")
