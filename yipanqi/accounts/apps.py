from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yipanqi.accounts"
    label = "accounts"
