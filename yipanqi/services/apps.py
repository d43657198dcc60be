from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "yipanqi.services"
    label = "services"
