"""Maintained aggregates for the live statistics of R-STAT-1..5 (see README.md for the design)."""

from django.db import models


class StatCounter(models.Model):
    """One count of one metric for one jurisdiction and one month.

    Every fact is counted at its own division and at each ancestor up to the nation (code ""),
    so any jurisdiction's figure for any period is a sum over at most twelve rows. `key` splits
    a metric by a dimension (request type, service category); key "" is the total over keys.
    Written only by yipanqi.ledger.counters (apply_delta in the changing transaction, recount).
    """

    division_code = models.CharField(max_length=12)
    metric = models.CharField(max_length=40)
    key = models.CharField(max_length=40, default="", blank=True)
    period_start = models.DateField()  # first day of the month
    value = models.BigIntegerField(default=0)

    class Meta:
        # The table the stats app created: moved to the ledger in state only, no row copied.
        db_table = "stats_statcounter"
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "metric", "period_start", "key"],
                name="statcounter_unique_cell",
            )
        ]

    def __str__(self) -> str:
        key = f"[{self.key}]" if self.key else ""
        return f"{self.metric}{key} {self.division_code or 'CN'} {self.period_start:%Y-%m} = {self.value}"
