"""`flush` that may empty the audit table in development and tests only.

Test runs flush every table after each transactional test; the audit triggers would refuse.
Outside development (YIPANQI_DEV) the triggers stay in force and a flush of a database holding
audit rows fails, as it should.
"""

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections, transaction

from yipanqi.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        database = options["database"]
        if not settings.DEV:
            return super().handle(**options)
        connection = connections[database]
        with transaction.atomic(using=database), triggers.unlocked(connection):
            return super().handle(**options)
