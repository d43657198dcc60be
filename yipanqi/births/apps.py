from django.apps import AppConfig


class BirthsConfig(AppConfig):
    name = "yipanqi.births"
    label = "births"

    def ready(self):
        from yipanqi.births.counted import FAMILIES
        from yipanqi.ledger.families import register

        # R-STAT-5: a birth is counted in the transaction that reports it.
        register(FAMILIES)

        from yipanqi.births import hooks

        hooks.register()
