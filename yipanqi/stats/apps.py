from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "yipanqi.stats"
    label = "stats"
