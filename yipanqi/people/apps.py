from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "yipanqi.people"
    label = "people"

    def ready(self):
        from yipanqi.people import hooks

        hooks.register()
