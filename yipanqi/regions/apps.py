from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "yipanqi.regions"
    label = "regions"
