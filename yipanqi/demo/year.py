"""A demo year of the units' own work, written through the domain's services (with their audit
rows, timelines and counters): department feeds, complaints, the directory and supply points.

- Feeds (R-FEED-1, R-FEED-2): each department's feeder of the demo residence county sends every
  feed of the department for each of the last twelve months — as a file through the import
  (`imports.services.import_path`) with a few rows matched against the registry, or a zero
  report (零通报); most on time, some late (the arrival time is replayed).
- Complaints (R-GRV-1): filed by phone (12356) or by staff at the demo townships, in every
  state: being handled, overdue, answered on time and answered late.
- Directory (R-DIR-1) and public pages (R-DIR-2, R-SVC-4): the entry of every demo unit from
  township up, and the supply points and service institutions of the demo townships.

Once per demo database (nothing is added when feed reports exist); deterministic for a seed.
"""

import datetime as dt
import random as random_module
import tempfile
import zoneinfo
from pathlib import Path

from django.utils import timezone

from yipanqi.core import sheets

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
MONTHS = 12
ZERO_SHARE = 0.15  # of the months with something to report, sent as a zero report anyway
LATE_SHARE = 0.12
STRANGER_SEQ = 900  # sequence numbers of made-up ID numbers for people not in the registry

FEEDERS = {  # username: department (R-FEED-1); `feeder` is the one printed first
    "feeder": "public_security",
    "feeder_civil": "civil_affairs",
    "feeder_health": "health",
    "feeder_hr": "human_resources",
    "feeder_housing": "housing",
    "feeder_market": "market_regulation",
}
HEADERS = {
    "temporary_residence": ["公民身份号码", "姓名", "暂住地址", "登记日期"],
    "death": ["公民身份号码", "姓名", "死亡日期", "死亡地点"],
    "move": ["公民身份号码", "姓名", "迁入地", "迁移日期"],
    "marriage": ["身份证号", "姓名", "登记类型", "登记日期"],
    "hospital_birth": ["母亲身份证号", "母亲姓名", "出生日期", "婴儿性别", "医院"],
    "employment": ["身份证号", "姓名", "工作地点", "参保日期", "用人单位"],
    "rental": ["身份证号", "姓名", "房屋地址", "备案日期", "租赁截止日期"],
    "business": ["身份证号", "姓名", "经营场所", "登记日期", "字号名称"],
}
EMPLOYERS = (
    "科技有限公司",
    "电子厂",
    "物流有限公司",
    "餐饮管理有限公司",
    "服装厂",
    "建筑工程有限公司",
)
SHOPS = ("小吃店", "便利店", "理发店", "五金店", "水果店", "家政服务部")
COMPLAINTS = [
    ("charged_free_service", "做孕前检查时被收了检查费一百二十元，听说流动人口是免费的。"),
    ("told_to_return_home", "老家打电话要我回去做检查，说不回去就不给办证明。"),
    ("certificate_delayed", "婚育证明申请了一个多月还没有办好，也没有人告诉原因。"),
    ("service_not_given", "去社区卫生服务中心领避孕药具，说没有库存让下个月再来。"),
    ("certificate_conditional", "办婚育证明时要求先交押金，说回来以后再退。"),
    ("staff_conduct", "工作人员态度不好，问了两次都没有说清楚要带什么材料。"),
    ("certificate_refused", "户籍地说我已经外出，不给办理婚育证明。"),
    ("other", "希望社区能公布免费服务的项目和时间，方便我们安排。"),
]


def add_demo_year(*, logins: dict, seed: int, today: dt.date | None = None) -> dict:
    """Add the demo year's feeds, complaints, directory entries and supply points; what was
    added, by kind (nothing when the database has feed reports already)."""
    from yipanqi.feeds.models import FeedReport

    if FeedReport.objects.exists():
        return {}
    today = today or timezone.localdate()
    random = random_module.Random(f"year/{seed}")
    added = {
        "directory": _directory(logins),
        "supply_points": _supply_points(logins, random),
        "complaints": _complaints(logins, random, today),
    }
    added.update(_feeds(logins, random, today))
    return added


# --- directory and public pages -------------------------------------------------------------


def _area_code(code: str) -> str:
    """The telephone area code of the demo places (深圳 0755, 绵阳 0816), else a plausible one."""
    known = {"4403": "0755", "5107": "0816", "44": "020", "51": "028"}
    return known.get(code[:4]) or known.get(code[:2]) or "0" + str(200 + int(code[:2]) * 7)


def _directory(logins: dict) -> int:
    """R-DIR-1: each demo unit from township up enters its own contact details."""
    from yipanqi.directory.services import ContactInput, may_edit_contact, save_contact

    saved = 0
    for index, user in enumerate(u for u in logins.values() if may_edit_contact(u)):
        unit = user.jurisdiction
        office = "卫生健康局" if unit.level <= 3 else "计划生育办公室"
        area = _area_code(unit.code)
        save_contact(
            ContactInput(
                unit_name=f"{unit.name}{office}",
                contact_person="王" + "丽芳敏静娟"[index % 5],
                title="流动人口服务管理科科长" if unit.level <= 3 else "计生专干",
                phone=f"{area}-{26_600_000 + index * 1_111:08d}",
                fax=f"{area}-{26_600_000 + index * 1_111 + 1:08d}",
                email=f"ldrk{unit.code}@example.gov.cn",
                address=f"{unit.path_name.replace(' › ', '')}人民路{10 + index}号",
                postcode="518000" if unit.code.startswith("44") else "621100",
            ),
            acting_user=user,
        )
        saved += 1
    return saved


def _supply_points(logins: dict, random) -> int:
    """R-SVC-4, R-DIR-2: the demo townships' service institutions and supply points."""
    from yipanqi.divisions.models import Division
    from yipanqi.services.services import (
        SupplyPointInput,
        may_edit_supply_points,
        save_supply_point,
    )

    saved = 0
    for user in logins.values():
        if not may_edit_supply_points(user):
            continue
        township = user.jurisdiction
        villages = list(Division.objects.filter(parent_id=township.code).order_by("code")[:4]) or [
            township
        ]
        points = [
            (
                township,
                "service_station",
                f"{township.name}计划生育服务站",
                "周一至周五 8:30–17:30",
            ),
            (
                villages[0],
                "health_centre",
                f"{villages[0].name}社区卫生服务中心",
                "每天 8:00–20:00",
            ),
        ]
        for village in villages:
            points.append((village, "distribution_point", f"{village.name}避孕药具发放点",
                           "周一至周六 9:00–17:00"))  # fmt: skip
        points.append((villages[0], "dispenser", f"{villages[0].name}自助发放机", "24小时"))
        for division, kind, name, hours in points:
            save_supply_point(
                SupplyPointInput(
                    division_code=division.code,
                    kind=kind,
                    name=name,
                    address=f"{division.name}中心路{random.randint(1, 199)}号",
                    hours=hours,
                    phone=f"{_area_code(division.code)}-{random.randint(20_000_000, 89_999_999)}",
                ),
                acting_user=user,
            )
            saved += 1
    return saved


# --- complaints -----------------------------------------------------------------------------


def _at(day: dt.date, random) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(9 + int(random.random() * 7), int(random.random() * 60)), tzinfo=ZONE
    )


def _complaints(logins: dict, random, today: dt.date) -> int:
    """R-GRV-1: complaints in every state, filed through the 12356 hotline or by staff."""
    from yipanqi.divisions.models import Division
    from yipanqi.grievances.models import Channel
    from yipanqi.grievances.services import ComplaintInput, answer_complaint, file_complaint
    from yipanqi.workdays.services import local_date

    intake = [logins[n] for n in ("township", "home_township") if n in logins]
    answerers = [u for u in logins.values() if u.role.endswith(("operator", "admin"))]
    filed = 0
    # (days ago it was filed, what then happened): open, overdue, answered on time, late.
    plan = [(3, "open"), (8, "open"), (70, "overdue"), (110, "overdue"),
            (150, "on_time"), (200, "on_time"), (260, "late"), (320, "late")]  # fmt: skip
    for index, (ago, fate) in enumerate(plan * len(intake)):
        staff = intake[index // len(plan)]
        village = (
            Division.objects.filter(parent_id=staff.jurisdiction_id).order_by("code")
            [index % 4 : index % 4 + 1].first()
            or staff.jurisdiction
        )  # fmt: skip
        category, text = COMPLAINTS[index % len(COMPLAINTS)]
        now = _at(today - dt.timedelta(days=ago), random)
        complaint = file_complaint(
            ComplaintInput(
                category=category,
                description=text,
                place_code=village.code,
                complainant_name="" if index % 3 == 0 else "刘女士",
                contact=f"139{random.randint(10_000_000, 99_999_999)}",
            ),
            acting_user=staff,
            channel=Channel.HOTLINE if index % 2 else Channel.STAFF,
            now=now,
        ).complaint
        filed += 1
        if fate in ("open", "overdue"):
            continue
        due = complaint.due_on
        answer_on = due - dt.timedelta(days=2) if fate == "on_time" else due + dt.timedelta(days=6)
        answered_at = max(_at(answer_on, random), now + dt.timedelta(hours=2))
        if local_date(answered_at) > today:
            continue
        answerer = next(
            (u for u in answerers if complaint.assigned_to_id.startswith(u.jurisdiction_id or "-")),
            None,
        )
        if answerer is not None:
            answer_complaint(
                complaint.pk,
                answer="已核实情况并向投诉人说明：流动人口基本计划生育服务免费，"
                "已要求相关单位改正并退还费用。",
                acting_user=answerer,
                now=answered_at,
            )
    return filed


# --- department feeds -----------------------------------------------------------------------


class _People:
    """Registered women of the county, drawn without repeating, and made-up strangers."""

    def __init__(self, county: str, random, today: dt.date):
        from yipanqi.certificates.models import Verification
        from yipanqi.divisions.models import Division, within_q
        from yipanqi.people.models import Registration
        from yipanqi.services.models import ServiceRecord

        self.random = random
        self.today = today
        rows = list(
            Registration.objects.active()
            .filter(within_q("residence_id", county), kind="inflow", person__sex="F")
            .select_related("person")
            .order_by("pk")
        )
        self.women = rows
        self.used: set[int] = set()
        self.villages = list(
            Division.objects.filter(code__startswith=county, level=5)
            .order_by("code")
            .values_list("code", flat=True)
        ) or [county]
        self.homes = sorted({r.person.home_id[:6] for r in rows}) or ["510722"]
        # The last day something was recorded for her: nobody dies before her last check-up.
        self.last_seen: dict[int, dt.date] = {}
        for model, field, person in (
            (ServiceRecord, "given_on", "person_id"),
            (Verification, "verified_on", "certificate__person_id"),
        ):
            for person_id, day in model.objects.filter(
                **{f"{person}__in": [r.person_id for r in rows]}
            ).values_list(person, field):
                self.last_seen[person_id] = max(day, self.last_seen.get(person_id, day))
        self.seq = STRANGER_SEQ

    def take(self, test=lambda registration: True):
        """A registered woman not used in this year's feeds yet, or None."""
        candidates = [r for r in self.women if r.pk not in self.used and test(r)]
        if not candidates:
            return None
        chosen = self.random.choice(candidates[:400])
        self.used.add(chosen.pk)
        return chosen

    def stranger(self) -> tuple[str, str]:
        """(ID number, name) of someone not in the registry."""
        from yipanqi.core.crypto import blind_index
        from yipanqi.demo.generate import GIVEN_FEMALE, SURNAMES
        from yipanqi.people import idnumbers
        from yipanqi.people.models import Person

        while True:
            self.seq += 1
            birth = dt.date(1985, 1, 1) + dt.timedelta(days=self.random.randint(0, 5000))
            value = idnumbers.make(self.random.choice(self.homes), birth, self.seq % 1000, "F")
            if not Person.objects.filter(id_number_index=blind_index(value, domain="id")).exists():
                surname = self.random.choice(list(SURNAMES))
                return value, surname + self.random.choice(GIVEN_FEMALE)


def _day_in(period: dt.date, random, today: dt.date) -> dt.date:
    return min(period + dt.timedelta(days=random.randint(0, 27)), today)


def _rows(feed: str, period: dt.date, people: _People, random, today: dt.date) -> list[list]:
    """This month's rows of one feed; empty for a month with nothing new."""
    day = lambda: _day_in(period, random, today).isoformat()  # noqa: E731
    rows: list[list] = []

    def registered(count, test=lambda r: True):
        for _i in range(count):
            registration = people.take(test)
            if registration is not None:
                yield registration

    def strangers(count):
        for _i in range(count):
            yield people.stranger()

    if feed == "temporary_residence":
        for r in registered(3):
            rows.append([r.person.reveal_id_number(), r.person.name, r.residence_id, day()])
        for value, name in strangers(random.randint(0, 2)):
            rows.append([value, name, random.choice(people.villages), day()])
    elif feed == "death":
        if random.random() < 0.25:  # a death is rare: most months are zero reports
            gone = lambda r: people.last_seen.get(r.person_id, r.arrival_date) < period  # noqa: E731
            for r in registered(1, gone):
                rows.append([r.person.reveal_id_number(), r.person.name, day(), r.residence_id])
    elif feed == "move":
        for r in registered(random.randint(0, 1)):
            others = [v for v in people.villages if v != r.residence_id] or [r.residence_id]
            rows.append([r.person.reveal_id_number(), r.person.name, random.choice(others), day()])
        for value, name in strangers(random.randint(0, 1)):
            rows.append([value, name, random.choice(people.villages), day()])
    elif feed == "marriage":
        for r in registered(random.randint(0, 2), lambda r: r.person.marital_status == "unmarried"):
            rows.append([r.person.reveal_id_number(), r.person.name, "结婚登记", day()])
    elif feed == "hospital_birth":
        married = lambda r: r.person.marital_status in ("first_marriage", "remarried")  # noqa: E731
        for r in registered(random.randint(1, 3), married):
            rows.append([r.person.reveal_id_number(), r.person.name, day(),
                         random.choice("男女"), "区人民医院"])  # fmt: skip
    else:  # the notices of human resources, housing and market regulation
        extra = {
            "employment": lambda: random.choice(EMPLOYERS).join(("南山", "")),
            "rental": lambda: (period + dt.timedelta(days=365)).isoformat(),
            "business": lambda: "李记" + random.choice(SHOPS),
        }[feed]
        for r in registered(random.randint(1, 2)):
            rows.append([r.person.reveal_id_number(), r.person.name, r.residence_id, day(),
                         extra()])  # fmt: skip
        for value, name in strangers(random.randint(0, 1)):
            rows.append([value, name, random.choice(people.villages), day(), extra()])
    return rows


def _arrival(period: dt.date, random, late: bool, now: dt.datetime) -> dt.datetime:
    """When the month's report arrived: in the days before its due date, or after it."""
    from yipanqi.feeds.services import due_for

    due = due_for(period).date
    first = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if late:
        day = due + dt.timedelta(days=random.randint(1, 20))
    else:
        day = first + dt.timedelta(days=random.randint(0, max((due - first).days, 0)))
    return min(_at(day, random), now)


def _feeds(logins: dict, random, today: dt.date) -> dict:
    """R-FEED-1: twelve months of every feed from the feeder of its department."""
    from yipanqi.feeds.models import FeedReport, feeds_of
    from yipanqi.feeds.services import submit_zero_report
    from yipanqi.imports.models import KIND_OF_FEED
    from yipanqi.imports.services import import_path
    from yipanqi.imports.values import DivisionResolver

    feeders = [logins[n] for n in FEEDERS if n in logins]
    if not feeders:
        return {}
    county = feeders[0].jurisdiction_id
    people = _People(county, random, today)
    resolver = DivisionResolver(county)  # read once for the year's files
    now = timezone.now()
    month = today.replace(day=1)
    periods = []
    for _i in range(MONTHS):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        periods.append(month)
    periods.reverse()
    files = zeros = 0
    with tempfile.TemporaryDirectory(prefix="yipanqi-demo-feeds-") as folder:
        for period in periods:
            for feeder in feeders:
                for feed in feeds_of(feeder.department):
                    late = random.random() < LATE_SHARE
                    arrived = _arrival(period, random, late, now)
                    rows = [] if random.random() < ZERO_SHARE else _rows(
                        feed, period, people, random, today
                    )  # fmt: skip
                    if not rows:
                        submit_zero_report(
                            feed_type=feed, period=period.strftime("%Y-%m"),
                            acting_user=feeder, now=arrived,
                        )  # fmt: skip
                        zeros += 1
                        continue
                    path = Path(folder) / f"{feed}-{period:%Y-%m}.csv"
                    with path.open("w", encoding="utf-8", newline="") as handle:
                        out = sheets.csv_writer(handle)
                        out.writerow(HEADERS[feed])
                        out.writerows(rows)
                    import_path(
                        path, kind=KIND_OF_FEED[feed], unit=county, acting_user=feeder,
                        period=period.strftime("%Y-%m"), today=today, now=arrived,
                        valid_rows_only=True, resolver=resolver,
                    )  # fmt: skip
                    files += 1
    return {
        "feed_files": files,
        "zero_reports": zeros,
        "feed_reports": FeedReport.objects.count(),
    }
