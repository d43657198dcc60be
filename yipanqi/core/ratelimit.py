"""A small fixed-window rate limiter on Django's cache (issue 7.6).

Counts live in the configured cache (per process with the default local-memory cache; point
CACHES at a shared cache when running several processes). Durable lock-outs after failed
log-ins are django-axes' job and live in the database.
"""

import time

from django.core.cache import caches


def hit(key: str, *, limit: int, window: int = 60) -> bool:
    """Count one event for `key`; True when the limit for this window is exceeded."""
    if limit <= 0:
        return False
    bucket = int(time.time()) // window
    cache_key = f"rl:{key}:{bucket}"
    cache = caches["default"]
    if cache.add(cache_key, 1, timeout=window + 5):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 5)
        return False
    return count > limit


def retry_after(window: int = 60) -> int:
    return window - int(time.time()) % window
