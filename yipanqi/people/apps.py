from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "yipanqi.people"
    label = "people"
