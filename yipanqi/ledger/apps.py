from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "yipanqi.ledger"
    label = "ledger"
