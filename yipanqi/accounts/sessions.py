"""Database sessions whose idle clock never fails a read (issue 16.2).

SessionPolicyMiddleware refreshes the idle clock (SEEN_KEY) at most every 30 seconds, which
makes an otherwise read-only request write its session. While a large import holds SQLite's
write lock, that write would wait past the busy timeout and fail the page (400). When nothing
but the idle clock changed, the save waits only briefly and is otherwise left for a later
request; any other change is saved as before, or fails as before.
"""

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import OperationalError, connections, router

from yipanqi.core.sqlite import busy_timeout, is_locked

SEEN_KEY = "yq_seen"  # accounts.middleware.SEEN_KEY


class SessionStore(DatabaseStore):
    def load(self):
        data = super().load()
        self._as_loaded = dict(data)
        return data

    def _only_the_idle_clock_changed(self) -> bool:
        loaded = getattr(self, "_as_loaded", None)
        if loaded is None:
            return False
        now = {k: v for k, v in self._session.items() if k != SEEN_KEY}
        return now == {k: v for k, v in loaded.items() if k != SEEN_KEY}

    def save(self, must_create=False):
        conn = connections[router.db_for_write(self.model)]
        if must_create or conn.in_atomic_block or not self._only_the_idle_clock_changed():
            return super().save(must_create=must_create)
        try:
            with busy_timeout(conn, settings.AUDIT_SPOOL_AFTER_MS):
                return super().save(must_create=must_create)
        except UpdateError as exc:  # the database's error, wrapped by the base class
            cause = exc.__context__
            if not isinstance(cause, OperationalError) or not is_locked(cause):
                raise
        return None
