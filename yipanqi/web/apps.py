from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yipanqi.web"
    label = "web"
