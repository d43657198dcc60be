"""`yipanqi report annual --jurisdiction 44 --year 2026` (R-STAT-3): the annual report of a
province (2-digit code) or of a region (its code, compiled by its convenor province), written as
PDF and XLSX. A thin loop over yipanqi.stats.report."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from yipanqi.core.errors import Rejected
from yipanqi.stats.report import annual_report, report_pdf, report_xlsx


class Command(BaseCommand):
    help = "Annual report of a province or a region as PDF and XLSX (R-STAT-3)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        annual = sub.add_parser("annual", help="the year-end report")
        annual.add_argument("--jurisdiction", required=True, help="province code (44) or region")
        annual.add_argument("--year", type=int, required=True)
        annual.add_argument("--out", default=".", help="directory for the two files")
        annual.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            try:
                report = annual_report(jurisdiction=options["jurisdiction"], year=options["year"])
            except Rejected as exc:
                raise CommandError("; ".join(exc.messages())) from None
            out = Path(options["out"])
            out.mkdir(parents=True, exist_ok=True)
            stem = out / f"annual-report-{report.code}-{report.year}"
            pdf, xlsx = stem.with_suffix(".pdf"), stem.with_suffix(".xlsx")
            pdf.write_bytes(report_pdf(report))
            xlsx.write_bytes(report_xlsx(report))
        self.stdout.write(f"{pdf}\n{xlsx}\n")
