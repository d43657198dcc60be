from django.apps import AppConfig


class GrievancesConfig(AppConfig):
    name = "yipanqi.grievances"
    label = "grievances"

    def ready(self):
        from yipanqi.grievances import hooks

        hooks.register()
