"""`yipanqi demo --persons N [--seed S]`: a synthetic population and demo logins (development)."""

import sys
import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yipanqi.accounts.models import User
from yipanqi.demo.generate import DEFAULT_SEED, DemoDataError, generate
from yipanqi.demo.users import (
    DEFAULT_PASSWORD,
    create_demo_users,
    current_demo_otp,
    demo_usernames,
)


class Command(BaseCommand):
    help = (
        "Add synthetic migrants with their registrations across the loaded divisions, "
        "and create one demo login per level. Development databases only (YIPANQI_DEV=1)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--otp", metavar="USERNAME", help="Print a demo administrator's current TOTP code."
        )
        parser.add_argument("--persons", type=int, default=10_000, help="How many persons to add.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Same seed, same people (fresh DB)."
        )
        parser.add_argument(
            "--users-only", action="store_true", help="Only create the demo logins."
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="The password of every demo login."
        )

    def handle(
        self, *args, persons: int, seed: int, users_only: bool, password: str, otp=None, **options
    ):
        if not settings.DEV:
            raise CommandError(
                _("The demo data is for development databases only: set YIPANQI_DEV=1.")
            )
        if otp:
            try:
                self.stdout.write(current_demo_otp(otp))
            except (LookupError, User.DoesNotExist):
                raise CommandError(
                    _("%(user)s is not a demo administrator.") % {"user": otp}
                ) from None
            return
        if not users_only:
            if persons < 1:
                raise CommandError(_("--persons must be at least 1."))
            self._generate(persons, seed)
        try:
            logins = create_demo_users(password)
        except LookupError as error:
            raise CommandError(str(error)) from error
        if not users_only:
            self._checkups()
            self._requests()
            self._certificates(seed)
            self._year(seed)
        self.stdout.write(
            _("Demo logins (password for all: %(password)s)") % {"password": password}
        )
        for username, _password, role, place in logins:
            self.stdout.write(f"  {username:<14} {_pad(role, 38)} {place or '—'}")
        self.stdout.write(
            _(
                "Administrators also need a second-factor code: yipanqi demo --otp USERNAME "
                "prints the current one."
            )
        )

    def _checkups(self) -> None:
        """Free check-ups for most married inflow women (service coverage, R-STAT-1)."""
        from yipanqi.demo.checkups import add_demo_checkups

        recorder = User.objects.filter(username="village").first()
        if recorder is None:
            return
        added = add_demo_checkups(recorded_by=recorder)
        if added:
            self.stdout.write(_("Added %(count)d free check-ups.") % {"count": added})

    def _requests(self) -> None:
        """Verification requests between the two sides, answered or not (R-EX-4, R-STAT-1)."""
        from yipanqi.demo.requests import add_demo_requests

        added = add_demo_requests()
        if added:
            self.stdout.write(_("Added %(count)d verification requests.") % {"count": added})

    def _certificates(self, seed: int) -> None:
        """Certificates for most women away from home, verified by most residences (R-STAT-1)."""
        from yipanqi.demo.certificates import add_demo_certificates

        verifier = User.objects.filter(username="village").first()
        if verifier is None:
            return
        started = time.perf_counter()
        issued, verified = add_demo_certificates(verified_by=verifier, seed=seed)
        if issued:
            self.stdout.write(
                _("Added %(issued)d certificates and %(verified)d verifications in %(s).1f s.")
                % {"issued": issued, "verified": verified, "s": time.perf_counter() - started}
            )

    def _year(self, seed: int) -> None:
        """A year of department feeds, complaints, directory entries and supply points."""
        from yipanqi.demo.year import add_demo_year

        started = time.perf_counter()
        logins = {u.username: u for u in User.objects.filter(username__in=demo_usernames())}
        added = add_demo_year(logins=logins, seed=seed)
        if added:
            self.stdout.write(
                _(
                    "Added %(feeds)d feed reports (%(zero)d zero reports), %(complaints)d "
                    "complaints, %(contacts)d directory entries and %(points)d supply points "
                    "in %(s).1f s."
                )
                % {
                    "feeds": added.get("feed_reports", 0),
                    "zero": added.get("zero_reports", 0),
                    "complaints": added["complaints"],
                    "contacts": added["directory"],
                    "points": added["supply_points"],
                    "s": time.perf_counter() - started,
                }
            )

    def _generate(self, persons: int, seed: int) -> None:
        def progress(done: int, total: int, seconds: float) -> None:
            sys.stderr.write(
                _("%(done)d of %(total)d persons (%(percent)d%%), %(seconds).1f s")
                % {
                    "done": done,
                    "total": total,
                    "percent": done * 100 // total,
                    "seconds": seconds,
                }
                + "\n"
            )

        try:
            report = generate(persons, seed=seed, progress=progress)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Added %(persons)d persons, %(registrations)d registrations and %(events)d "
                    "events in %(seconds).1f s (%(rate)d rows/s, %(person_rate)d persons/s)."
                )
                % {
                    "persons": report.persons,
                    "registrations": report.registrations,
                    "events": report.events,
                    "seconds": report.seconds,
                    "rate": report.rows_per_second,
                    "person_rate": report.persons_per_second,
                }
            )
        )


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal column: Chinese characters take two cells."""
    cells = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - cells, 0)
