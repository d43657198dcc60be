from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "yipanqi.audit"
    label = "audit"

    def ready(self):
        from yipanqi.audit import triggers

        connection_created.connect(triggers.register_sqlite_function, dispatch_uid="audit_fn")
        post_migrate.connect(triggers.install_after_migrate, sender=self, dispatch_uid="audit_trg")
        # Issue 16.8: verify and anchor the chain periodically, by the one scheduler (14.3).
        from yipanqi.audit.anchors import register_checkpoint_job

        register_checkpoint_job()
