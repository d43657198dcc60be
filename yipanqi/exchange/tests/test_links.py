"""No page links to something that then answers 404 or 403 for the same user (issue 12.5).

For each role of the standard cast, a small world is built through the real services (a
registration, a verification, a service report, a first-child application asked of both home
townships, a certificate, an escalated request); then every link on every page the user can
reach from the home page is followed, and a 403/404 behind a rendered link fails the test.
"""

import datetime as dt
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from conftest import (
    NANSHAN_TOWNSHIP,
    NANSHAN_VILLAGE,
    SANTAI_TOWNSHIP,
    SANTAI_VILLAGE,
    make_user,
    report_services,
)
from yipanqi.exchange.services import escalate_request, send_request
from yipanqi.exchange.sweep import sweep

from .conftest import HUSBAND_HOME, SENT_AT

pytestmark = pytest.mark.django_db
DONGGUAN_TOWNSHIP = "441900003"
# Not pages: leaving, switching language, static files, the JSON API and its docs.
SKIP = ("/logout/", "/i18n/", "/static/", "/api/", "/media/")
MAX_PAGES = 200


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href:
                self.links.append(href)


def _links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        href = urldefrag(href)[0]
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "http:", "https:")):
            continue
        if href.startswith("?"):
            href = urlsplit(base).path + href
        if href.startswith("/") and not href.startswith(SKIP):
            found.append(href)
    return found


def crawl(client, start: str = "/") -> list[tuple[str, str, int]]:
    """(page, link, status) for each rendered link answering 403 or 404."""
    seen, dead = {start}, []
    queue = deque([(start, "")])
    pages = 0
    while queue and pages < MAX_PAGES:
        url, source = queue.popleft()
        response = client.get(url)
        pages += 1
        if response.status_code in (403, 404):
            dead.append((source, url, response.status_code))
            continue
        if response.status_code in (301, 302):
            target = response.headers.get("Location", "")
            if target.startswith("/") and target not in seen and not target.startswith(SKIP):
                seen.add(target)
                queue.append((target, url))
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for link in _links(response.content.decode(), url):
            # A list's other pages and filters are one page for this purpose.
            # (Statistics drill-downs and exports by query are one page each, too.)
            path = link.split("?")[0]
            collapse = "page=" in link or path.startswith(("/stats/", "/imports/export/"))
            key = path + "?" if collapse else link
            if key not in seen:
                seen.add(key)
                queue.append((link, url))
    return dead


@pytest.fixture
def world(village_worker, township_operator, person, ask_first_child):
    """What the cast has to show: every kind of subject a request or a page links to."""
    from yipanqi.births.services import BirthReportInput, report_birth
    from yipanqi.certificates.services import issue_certificate
    from yipanqi.grievances.models import Category
    from yipanqi.grievances.services import ComplaintInput, file_complaint

    report_services(person, village_worker, key="links-report")
    ask_first_child(person, key="links-birth")
    issue_certificate(person.pk, acting_user=township_operator)
    send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=SANTAI_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="links-verify",
        persons=[person],
        payload={"question": "Please confirm her marital status."},
        now=SENT_AT,
    )
    late = send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=DONGGUAN_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="links-late",
        persons=[person],
        payload={"question": "Is she known in 东城街道?"},
        now=SENT_AT,
    )
    report_birth(
        BirthReportInput(
            mother_id=person.pk,
            birth_date=dt.date(2026, 5, 1),
            child_sex="F",
            idempotency_key="links-birth-report",
        ),
        acting_user=village_worker,
    )
    file_complaint(
        ComplaintInput(
            category=Category.values[0],
            description="She was charged for a free check-up at home.",
            place_code=SANTAI_TOWNSHIP,
            person_id=person.pk,
        ),
        acting_user=village_worker,
        channel="staff",
    )
    sweep(dt.date(2026, 10, 16))
    escalate_request(late.pk, reason="No answer.", acting_user=village_worker)


CAST = {
    "village worker (residence)": ("village_worker", NANSHAN_VILLAGE),
    "village worker (home)": ("village_worker", SANTAI_VILLAGE),
    "township operator (home)": ("township_operator", SANTAI_TOWNSHIP),
    "township operator (residence)": ("township_operator", NANSHAN_TOWNSHIP),
    "township operator (husband's home)": ("township_operator", HUSBAND_HOME),
    "township operator (receiver of the escalated request)": (
        "township_operator",
        DONGGUAN_TOWNSHIP,
    ),
    "county administrator (residence)": ("county_admin", "440305"),
    "city administrator (residence)": ("city_admin", "4403"),
    "province administrator (residence, coordinator)": ("province_admin", "44"),
    "province administrator (home)": ("province_admin", "51"),
    "county administrator of a third county": ("county_admin", "320102"),
    "national administrator": ("national_admin", None),
    "auditor": ("auditor", None),
}


@pytest.mark.parametrize("role", list(CAST))
def test_no_rendered_link_answers_404_or_403_for_its_user(client, world, role):
    kind, code = CAST[role]
    if (kind, code) == ("village_worker", NANSHAN_VILLAGE):
        from yipanqi.accounts.models import User

        user = User.objects.get(username="alice")
    elif (kind, code) == ("township_operator", SANTAI_TOWNSHIP):
        from yipanqi.accounts.models import User

        user = User.objects.get(username="bob")
    else:
        user = make_user(f"crawl-{kind}-{code or 'all'}", kind, code)
    client.force_login(user)
    dead = crawl(client)
    assert not dead, [f"{status} {link} (linked from {page})" for page, link, status in dead]
