from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "yipanqi.certificates"
    label = "certificates"

    def ready(self):
        from yipanqi.certificates.counted import FAMILIES
        from yipanqi.ledger.families import register

        # R-STAT-1: these facts are counted in the transaction that changes them.
        register(FAMILIES)

        from yipanqi.certificates import hooks

        hooks.register()
