from django.apps import AppConfig


class BirthsConfig(AppConfig):
    name = "yipanqi.births"
    label = "births"
