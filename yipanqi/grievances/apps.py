from django.apps import AppConfig


class GrievancesConfig(AppConfig):
    name = "yipanqi.grievances"
    label = "grievances"

    def ready(self):
        from yipanqi.grievances.counted import FAMILIES
        from yipanqi.ledger.families import register

        # R-STAT-2: complaints are counted in the transaction that changes them.
        register(FAMILIES)

        from yipanqi.grievances import hooks

        hooks.register()
