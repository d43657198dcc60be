from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "yipanqi.exchange"
    label = "exchange"
