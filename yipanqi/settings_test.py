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
