from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "yipanqi.services"
    label = "services"

    def ready(self):
        from yipanqi.ledger.families import register
        from yipanqi.services.counted import FAMILIES

        # R-STAT-1: these facts are counted in the transaction that changes them.
        register(FAMILIES)

        from yipanqi.services import hooks

        hooks.register()
