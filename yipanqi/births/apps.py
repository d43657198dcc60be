from django.apps import AppConfig


class BirthsConfig(AppConfig):
    name = "yipanqi.births"
    label = "births"

    def ready(self):
        from yipanqi.births import hooks

        hooks.register()
