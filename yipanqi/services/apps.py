from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "yipanqi.services"
    label = "services"

    def ready(self):
        from yipanqi.services import hooks

        hooks.register()
