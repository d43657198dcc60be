from django.apps import AppConfig
from django.core import checks


class ExchangeConfig(AppConfig):
    name = "yipanqi.exchange"
    label = "exchange"

    def ready(self):
        from yipanqi.exchange import hooks
        from yipanqi.exchange.checks import every_type_is_described
        from yipanqi.exchange.counted import FAMILIES
        from yipanqi.exchange.models import RequestType
        from yipanqi.exchange.payloads import QUESTION_TYPES, question
        from yipanqi.exchange.services import (
            calendar_label,
            move_due_for_calendar,
            open_for_calendar,
        )
        from yipanqi.ledger.families import register
        from yipanqi.regions.rules import register_deadline_kinds
        from yipanqi.workdays.changes import register_deadline_source

        # R-REG-1: a rule set names each request type's answer deadline.
        register_deadline_kinds(self.label, lambda: RequestType.choices)
        # R-STAT-1: requests are counted in the transaction that sends or answers them.
        register(FAMILIES)
        hooks.register_describer(QUESTION_TYPES, question)
        # R-WD-4: a newly loaded schedule moves the open requests' due dates.
        register_deadline_source(
            "request",
            open_items=open_for_calendar,
            label=calendar_label,
            move=move_due_for_calendar,
        )
        checks.register(every_type_is_described)
        # R-EX-3, R-REGN-4, R-GRV-1: the daily checks, run by the one scheduler (issue 14.3).
        from yipanqi.exchange.scheduler import register_sweep_job

        register_sweep_job()
