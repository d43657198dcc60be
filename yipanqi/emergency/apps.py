from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "yipanqi.emergency"
    label = "emergency"
