from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "yipanqi.imports"
    label = "imports"
