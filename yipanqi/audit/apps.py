from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yipanqi.audit"
    label = "audit"
