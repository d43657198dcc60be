from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "yipanqi.exchange"
    label = "exchange"

    def ready(self):
        from yipanqi.exchange.counted import FAMILIES
        from yipanqi.exchange.models import RequestType
        from yipanqi.ledger.families import register
        from yipanqi.regions.rules import register_deadline_kinds

        # R-REG-1: a rule set names each request type's answer deadline.
        register_deadline_kinds(self.label, lambda: RequestType.choices)
        # R-STAT-1: requests are counted in the transaction that sends or answers them.
        register(FAMILIES)
