from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "yipanqi.imports"
    label = "imports"

    def ready(self):
        # Issue 14.6: the operator's metrics show the imports waiting and the oldest's wait.
        from yipanqi.imports.models import ImportJob, ImportStatus
        from yipanqi.ops.gauges import register_gauge

        def waiting() -> float:
            return ImportJob.objects.filter(status=ImportStatus.QUEUED).count()

        def oldest_wait() -> float:
            from django.utils import timezone

            oldest = (
                ImportJob.objects.filter(status=ImportStatus.QUEUED)
                .order_by("created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            return (timezone.now() - oldest).total_seconds() if oldest else 0.0

        register_gauge("yipanqi_imports_waiting", "Imports waiting to start", waiting)
        register_gauge(
            "yipanqi_imports_oldest_wait_seconds",
            "How long the oldest waiting import has waited",
            oldest_wait,
        )
