"""Liveness and readiness for load balancers and orchestrators (issue 14.6).

`/healthz` answers 200 while the process can answer at all: it touches nothing. `/readyz` answers
200 only when this node can serve real work: the database answers and every migration is applied.
A node whose database is down or behind answers 503 with what is wrong, so a balancer sends the
traffic elsewhere. Both are plain JSON, need no login and are never cached.
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Once every migration is applied it stays so for the life of the process: a new release brings
# a new process. Remembering it spares each probe the migration graph (tens of milliseconds).
_migrated = False


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"database: {type(exc).__name__}"
    return None


def _migrations() -> str | None:
    global _migrated
    if _migrated:
        return None
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"migrations: {type(exc).__name__}"
    if plan:
        return f"migrations: {len(plan)} not applied"
    _migrated = True
    return None


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request):
    problems = [p for p in (_database(),) if p]
    if not problems:
        problems = [p for p in (_migrations(),) if p]
    status = 503 if problems else 200
    return JsonResponse(
        {"status": "ready" if not problems else "not ready", "problems": problems}, status=status
    )
