from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "yipanqi.demo"
    label = "demo"
