from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "yipanqi.people"
    label = "people"

    def ready(self):
        from yipanqi.ledger.families import register
        from yipanqi.people.counted import FAMILIES

        # R-STAT-1: the registry's facts are counted in the transaction that changes them.
        register(FAMILIES)

        from yipanqi.people import hooks

        hooks.register()
