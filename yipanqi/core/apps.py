from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yipanqi.core"
    label = "core"
