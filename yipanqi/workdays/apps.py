from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "yipanqi.workdays"
    label = "workdays"
