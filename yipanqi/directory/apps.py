from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "yipanqi.directory"
    label = "directory"
