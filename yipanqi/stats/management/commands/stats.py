"""`yipanqi stats check` lists the statistics counters that differ from a recount of the raw
tables (R-STAT-1); `yipanqi stats recount` rebuilds them: after a bulk load, after an upgrade
that adds a measure (service coverage), or when a writer did not keep them. `--metric` limits
either to the family holding one metric (cov.women), a family (coverage_stays) or the families
named after a word (coverage). A thin loop over yipanqi.ledger.counters."""

from django.core.management.base import BaseCommand, CommandError

from yipanqi.ledger import counters


class Command(BaseCommand):
    help = "Check the statistics counters against the raw tables, or rebuild them (R-STAT-1)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "recount"])
        parser.add_argument(
            "--metric", help="a metric (cov.women), a family (coverage_stays) or a group (coverage)"
        )

    def handle(self, *args, action: str, metric: str | None, **options):
        try:
            if action == "recount":
                report = counters.recount(metric)
                self.stdout.write(
                    f"{', '.join(report.families)}: {report.counters} counters rebuilt "
                    f"in {report.seconds:.1f} s"
                )
                return
            check = counters.check(metric)
        except KeyError:
            raise CommandError(f"{metric} is neither a metric nor a family of metrics.") from None
        for m in check.mismatches:
            self.stdout.write(
                f"{m.metric} {m.key or '-'} {m.division_code or 'CN'} {m.period_start}: "
                f"expected {m.expected}, counted {m.counted}"
            )
        if not check.ok:
            raise CommandError(
                f"counters differ from the raw tables (first {len(check.mismatches)} shown); "
                "`yipanqi stats recount` rebuilds them"
            )
        self.stdout.write(f"{check.cells} cells checked in {check.seconds:.1f} s: all equal")
