from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "yipanqi.feeds"
    label = "feeds"
