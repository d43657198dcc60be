from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "yipanqi.divisions"
    label = "divisions"
