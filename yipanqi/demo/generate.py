"""A synthetic migrant population over the divisions loaded in the database (demos, benchmarks).

Persons, their inflow and outflow registrations (R-REGN-1, linked by ID as in R-REGN-2) and their
timeline events are generated in Python and written in large batches by the registry's bulk
writer (`people.bulk`: its sealing, rows and raw writes, as the import's). Every generated person would pass the registration
service's own checks: a valid ID whose area is the home county, women 18–49, men only as married
husbands, home and residence counties that make a migrant under R-JUR-3, reasons in scope.

Determinism: on a database without persons, the same seed and the same `today` give the same ID
numbers, names and places (ciphertexts differ: every encryption draws a fresh nonce). On a
database that already holds persons the run is seeded from (seed, number of persons), so a second
run adds different people, and any ID that still collides with a stored one is redrawn before
anything is written: the unique blind index never fails.
"""

import bisect
import dataclasses
import datetime as dt
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.core.planner import refresh_statistics

# Re-exported for demo.requests, which reads the raw-row helpers from here.
from yipanqi.core.rawrows import continue_identity, write_rows  # noqa: F401
from yipanqi.ledger.counters import recount as stats_recount
from yipanqi.ledger.models import StatCounter
from yipanqi.people import idnumbers
from yipanqi.people.bulk import (
    PERSON_FIELDS,
    Deadlines,
    Sealer,
    Writer,
    closed_data,
    event_row,
    linked_data,
    person_row,
    registered_data,
    registration_row,
)
from yipanqi.people.models import (
    CloseReason,
    EventType,
    MaritalStatus,
    Person,
    RegistrationKind,
    RegistrationStatus,
    Sex,
    StayReason,
)
from yipanqi.people.services import MUNICIPALITIES

DEFAULT_SEED = 2026
BATCH_PERSONS = 20_000

# Shares of inter-provincial migrants by province of origin (户籍地) and of destination, rounded
# from the 2020 census pattern: inland provinces send, the coast and the two capitals receive.
OUTFLOW_PROVINCE_WEIGHTS = {
    "41": 14, "51": 13, "34": 12, "43": 9, "36": 7, "52": 7, "45": 7, "42": 7, "50": 5,
    "13": 3, "37": 3, "53": 2, "61": 2, "62": 2, "23": 2, "14": 1.5, "22": 1, "21": 1, "15": 1,
    "35": 1, "44": 0.5, "32": 0.5, "33": 0.5, "46": 0.3, "63": 0.3, "64": 0.3, "65": 0.3,
    "54": 0.2,
}  # fmt: skip
INFLOW_PROVINCE_WEIGHTS = {
    "44": 30, "33": 18, "32": 12, "31": 12, "11": 9, "35": 5, "12": 3, "37": 3, "65": 2,
    "13": 1, "46": 1, "51": 1, "50": 1, "42": 1, "61": 1,
}  # fmt: skip
# Moves inside a province (to its capital, its coast): about one migrant in five here.
INTRA_PROVINCE_SHARE = 0.2
# The demo logins sit in 深圳南山区 (residence) and 四川三台县 (home): give them people to see.
DEMO_RESIDENCE_COUNTY = "440305"
DEMO_RESIDENCE_SHARE = 0.05
DEMO_HOME_COUNTY = "510722"
DEMO_HOME_SHARE = 0.03
# ... and inside those counties, the demo village worker's community and the home township.
DEMO_FOCUS = {DEMO_RESIDENCE_COUNTY: ("440305001001", 0.25), DEMO_HOME_COUNTY: ("510722101", 0.3)}

SURNAMES = {
    "王": 71, "李": 70, "张": 68, "刘": 54, "陈": 45, "杨": 31, "黄": 22, "赵": 20, "吴": 19,
    "周": 19, "徐": 14, "孙": 14, "马": 13, "朱": 12, "胡": 12, "郭": 11, "何": 11, "高": 10,
    "林": 10, "罗": 9, "郑": 9, "梁": 8, "谢": 8, "宋": 7, "唐": 7, "许": 6, "韩": 6, "冯": 6,
    "邓": 6, "曹": 6, "彭": 5, "曾": 5, "肖": 5, "田": 5, "董": 5, "袁": 4, "潘": 4, "于": 4,
    "蒋": 4, "蔡": 4, "余": 4, "杜": 4, "叶": 4, "程": 4, "苏": 3, "魏": 3, "吕": 3, "丁": 3,
    "任": 3, "沈": 3, "姚": 3, "卢": 3, "姜": 3, "崔": 3, "钟": 3, "谭": 3, "陆": 3, "汪": 3,
    "范": 3, "金": 3, "石": 3, "廖": 3, "贾": 2, "夏": 2, "韦": 2, "付": 2, "方": 2, "白": 2,
    "邹": 2, "孟": 2, "熊": 2, "秦": 2, "邱": 2, "江": 2, "尹": 2, "薛": 2, "闫": 2, "段": 2,
    "雷": 2, "侯": 2, "龙": 2, "史": 2, "陶": 2, "黎": 2, "贺": 2, "顾": 2, "毛": 2, "郝": 2,
    "龚": 2, "邵": 2, "万": 2, "覃": 1, "武": 1, "戴": 1, "莫": 1, "孔": 1, "向": 1, "汤": 1,
}  # fmt: skip
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧琳倩颖欣悦佳雯洁萍红梅兰晶丹莉琴云露瑶璐媛怡思诗梦雨秀英华春玉晓月凤琪菲蓉"
GIVEN_MALE = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩俊帅建国志文林峰亮成龙东海宏家子天永新毅凯博阳"
)
MOBILE_PREFIXES = tuple(
    str(prefix)
    for prefix in (130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157,
                   158, 159, 166, 173, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191,
                   198, 199)
)  # fmt: skip
# Women 18–49 (R-JUR-3), most in their late twenties and thirties.
FEMALE_AGE_WEIGHTS = {age: 3 if age < 22 else 6 if age < 26 else 8 if age < 36 else 5 if age < 42
                      else 3 for age in range(18, 50)}  # fmt: skip
REASON_WEIGHTS = {
    StayReason.WORK: 70,
    StayReason.BUSINESS: 12,
    StayReason.FAMILY: 8,
    StayReason.MARRIAGE: 6,
    StayReason.OTHER_LIFE: 4,
}
ARRIVAL_WINDOW_DAYS = 3 * 365
OUTFLOW_SHARE = 0.8  # most persons are also registered at home
COUPLE_SHARE = 0.45  # married women whose husband came with them
CLOSED_SHARE = 0.05
PHONE_SHARE = 0.85
LOST_CONTACT_DAYS = 60  # R-REGN-4


class DemoDataError(Exception):
    """The loaded divisions cannot hold a migrant population (too few counties)."""


@dataclass
class DemoReport:
    persons: int = 0
    registrations: int = 0
    events: int = 0
    seconds: float = 0.0
    seed: str = ""
    # Of `seconds`: the statistics counters rebuilt after the rows (R-STAT-1).
    recount_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.persons + self.registrations + self.events

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def persons_per_second(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0


class _Picker:
    """Weighted choice by bisecting cumulative weights: one random() per draw."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, weighted: dict):
        items = [item for item, weight in weighted.items() if weight > 0]
        self.items = items
        self.cumulative = list(itertools.accumulate(weighted[item] for item in items))
        self.total = self.cumulative[-1] if items else 0

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, random: Callable[[], float]):
        return self.items[bisect.bisect_right(self.cumulative, random() * self.total)]


class Places:
    """Where people can live: villages, and townships with no village loaded, by county."""

    def __init__(self, county_names: dict[str, str], units: dict[str, list[str]]):
        self.units = {county: codes for county, codes in units.items() if county in county_names}
        if len(self.units) < 2:
            raise DemoDataError(
                _(
                    "At least two counties with townships or villages must be loaded "
                    "(yipanqi divisions load)."
                )
            )
        self.districts = {code for code, name in county_names.items() if name.endswith("区")}
        by_province: dict[str, list[str]] = defaultdict(list)
        for county in sorted(self.units):
            by_province[county[:2]].append(county)
        self.home_counties = {
            province: _Picker({c: self._home_weight(c) for c in counties})
            for province, counties in by_province.items()
        }
        self.residence_counties = {
            province: _Picker({c: self._residence_weight(c) for c in counties})
            for province, counties in by_province.items()
        }
        sizes = {province: sum(map(self._home_weight, cs)) for province, cs in by_province.items()}
        self.home_provinces = _restricted(OUTFLOW_PROVINCE_WEIGHTS, sizes)
        self.residence_provinces = _restricted(INFLOW_PROVINCE_WEIGHTS, sizes)
        both = {
            p: OUTFLOW_PROVINCE_WEIGHTS.get(p, 0) + INFLOW_PROVINCE_WEIGHTS.get(p, 0)
            for p in by_province
            if self._allows_intra(by_province[p])
        }
        self.intra_provinces = _restricted(both, {p: sizes[p] for p in both})
        self.demo_residence = DEMO_RESIDENCE_COUNTY if DEMO_RESIDENCE_COUNTY in self.units else ""
        self.demo_home = DEMO_HOME_COUNTY if DEMO_HOME_COUNTY in self.units else ""
        self.any_county = _Picker({c: len(u) for c, u in sorted(self.units.items())})
        if not self._some_pair_in_scope(sorted(self.units)):
            raise DemoDataError(
                _(
                    "The loaded counties allow no migration between them (they are districts "
                    "of one city or municipality); load divisions of another city."
                )
            )

    @classmethod
    def load(cls) -> "Places":
        """Read the loaded divisions (one query, in code order so that draws are repeatable)."""
        county_names: dict[str, str] = {}
        units: dict[str, list[str]] = defaultdict(list)
        townships: list[str] = []
        with_villages: set[str] = set()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT code, level, name FROM divisions_division WHERE level >= 3 ORDER BY code"
            )
            for code, level, name in cursor.fetchall():
                if level == 5:
                    units[code[:6]].append(code)
                    with_villages.add(code[:9])
                elif level == 4:
                    townships.append(code)
                else:
                    county_names[code] = name
        for township in townships:
            if township not in with_villages:
                units[township[:6]].append(township)
        return cls(county_names, units)

    def _home_weight(self, county: str) -> float:
        # Rural counties send more people than city districts.
        return len(self.units[county]) * (1 if county in self.districts else 2)

    def _residence_weight(self, county: str) -> float:
        # Migrants settle in city districts rather than rural counties.
        return len(self.units[county]) * (3 if county in self.districts else 1)

    def in_scope(self, home: str, residence: str) -> bool:
        """R-JUR-3 on county codes: as people.services.scope_violations, without queries."""
        if home == residence:
            return False
        if home[:2] == residence[:2] and home[:2] in MUNICIPALITIES:
            return False
        return not (
            home[:4] == residence[:4] and home in self.districts and residence in self.districts
        )

    def _allows_intra(self, counties: list[str]) -> bool:
        return len(counties) > 1 and self._some_pair_in_scope(counties)

    def _some_pair_in_scope(self, counties: list[str]) -> bool:
        """Whether two of these counties make a migrant pair (R-JUR-3), without trying all pairs."""
        provinces = {county[:2] for county in counties}
        if len(provinces) > 1:
            return True
        if provinces & MUNICIPALITIES:
            return False
        if len({county[:4] for county in counties}) > 1:
            return True
        return len(counties) > 1 and any(c not in self.districts for c in counties)


def _restricted(weights: dict[str, float], sizes: dict[str, float]) -> _Picker:
    """The realistic weights over the provinces that are loaded, else loaded size."""
    loaded = {p: w for p, w in weights.items() if p in sizes}
    return _Picker(loaded if loaded else dict(sorted(sizes.items())))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Generator:
    """Builds the rows of one batch after another; holds the draws made so far."""

    def __init__(self, places: Places, rng: random.Random, today: dt.date, aware: bool):
        self.places = places
        self.rng = rng
        self.random = rng.random
        self.aware = aware
        self.cap = today.toordinal() - 1  # nothing happens later than yesterday
        self.today = today
        self.used_ids: set[int] = set()
        self.sealer = Sealer()
        self.surnames = _Picker(SURNAMES)
        self.female_ages = _Picker(FEMALE_AGE_WEIGHTS)
        self.reasons = _Picker(REASON_WEIGHTS)
        # Birth dates giving an age of exactly n today: (first ordinal, last ordinal).
        self.birth_band = {
            age: (
                _years_before(today, age + 1).toordinal() + 1,
                _years_before(today, age).toordinal(),
            )
            for age in range(18, 70)
        }
        self.deadlines = Deadlines()
        self.focus = {}
        for county, (prefix, share) in DEMO_FOCUS.items():
            focus = [code for code in places.units.get(county, ()) if code.startswith(prefix)]
            if focus:
                self.focus[county] = (share, focus)

    # --- people -------------------------------------------------------------------------------

    def name(self, sex: str) -> str:
        pool = GIVEN_FEMALE if sex == Sex.FEMALE else GIVEN_MALE
        random = self.random
        given = pool[int(random() * len(pool))]
        if random() < 0.7:
            given += pool[int(random() * len(pool))]
        return self.surnames.pick(random) + given

    def birth(self, age: int) -> int:
        low, high = self.birth_band[age]
        return low + int(self.random() * (high - low + 1))

    def identity(self, county: str, birth: int, sex: str) -> str | None:
        """A resident ID for this county, birth date and sex, unused in this run; None if full."""
        day = dt.date.fromordinal(birth)
        base = int(county) * 10**11 + (day.year * 10000 + day.month * 100 + day.day) * 1000
        odd = 1 if sex == Sex.MALE else 0
        random = self.random
        for attempt in range(520):
            seq = int(random() * 500) if attempt < 20 else attempt - 20
            key = base + seq * 2 + odd
            if key not in self.used_ids:
                self.used_ids.add(key)
                return idnumbers.make(county, day, seq, sex)
        return None

    def phone(self) -> str:
        random = self.random
        return MOBILE_PREFIXES[int(random() * len(MOBILE_PREFIXES))] + str(
            10_000_000 + int(random() * 90_000_000)
        )

    def places_for(self) -> tuple[str, str]:
        """Home and residence counties for one migrant: realistic flows, always in scope."""
        places, random = self.places, self.random
        for _attempt in range(100):
            draw = random()
            if draw < DEMO_RESIDENCE_SHARE and places.demo_residence:
                residence = places.demo_residence
                home = places.home_counties[places.home_provinces.pick(random)].pick(random)
            elif draw < DEMO_RESIDENCE_SHARE + DEMO_HOME_SHARE and places.demo_home:
                home = places.demo_home
                province = places.residence_provinces.pick(random)
                residence = places.residence_counties[province].pick(random)
            elif draw < DEMO_RESIDENCE_SHARE + DEMO_HOME_SHARE + INTRA_PROVINCE_SHARE and (
                places.intra_provinces
            ):
                province = places.intra_provinces.pick(random)
                home = places.home_counties[province].pick(random)
                residence = places.residence_counties[province].pick(random)
            else:
                home = places.home_counties[places.home_provinces.pick(random)].pick(random)
                province = places.residence_provinces.pick(random)
                residence = places.residence_counties[province].pick(random)
            if places.in_scope(home, residence):
                return home, residence
        while True:  # weights that cannot be met: any two counties in scope (checked at load)
            home, residence = places.any_county.pick(random), places.any_county.pick(random)
            if places.in_scope(home, residence):
                return home, residence

    def unit(self, county: str) -> str:
        focus = self.focus.get(county)
        units = focus[1] if focus and self.random() < focus[0] else self.places.units[county]
        return units[int(self.random() * len(units))]

    # --- time -------------------------------------------------------------------------------

    def moment(self, ordinal: int) -> dt.datetime:
        """A moment in Beijing office hours on that day, as UTC (naive on SQLite, as Django)."""
        seconds = 30_600 + int(self.random() * 32_400) - 8 * 3600  # 08:30–17:30 at UTC+8
        value = dt.datetime.fromordinal(ordinal) + dt.timedelta(seconds=seconds)
        return value.replace(tzinfo=dt.UTC) if self.aware else value

    def warm_up(self) -> None:
        """Compute every recording deadline a batch can ask for (it reads the calendar)."""
        for received in range(self.cap - ARRIVAL_WINDOW_DAYS - 10, self.cap + 1):
            self.deadlines.due(dt.date.fromordinal(received))

    def received_and_recorded(self, start: int, late_share: float, usual: int, late: int):
        """(received_on, recorded_on, recorded_in_time) for a report about an event on start."""
        random = self.random
        delay = int(random() * usual) if random() >= late_share else usual + int(random() * late)
        received = min(start + delay, self.cap)
        lag = int(random() * 5) if random() < 0.92 else 8 + int(random() * 30)
        recorded = min(received + lag, self.cap)
        in_time = self.deadlines.in_time(_date(received), _date(recorded))  # R-REGN-1
        return received, recorded, in_time


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _date(ordinal: int | None) -> dt.date | None:
    return None if ordinal is None else dt.date.fromordinal(ordinal)


@dataclass
class _Ids:
    person: int
    registration: int
    event: int


@dataclass
class _Batch:
    first: _Ids  # the primary keys it starts from
    persons: list[list]
    registrations: list[tuple]
    events: list[tuple]


def _build_batch(gen: _Generator, count: int, ids: _Ids) -> _Batch:
    """count persons with their registrations and events, primary keys from ids onwards."""
    random = gen.random
    first = dataclasses.replace(ids)
    persons: list[list] = []
    registrations: list[tuple] = []
    events: list[tuple] = []
    while len(persons) < count:
        home_county, residence_county = gen.places_for()
        home, residence = gen.unit(home_county), gen.unit(residence_county)
        # R-JUR-3: men are registered as spouses, so a man comes only with his wife.
        age = gen.female_ages.pick(random)
        marital = _female_marital(random, age)
        members = [(Sex.FEMALE, age, marital, home)]
        if (
            marital in MaritalStatus.married()
            and random() < COUPLE_SHARE
            and len(persons) + 2 <= count
        ):
            husband_age = min(max(age - 2 + int(random() * 10), 22), 60)
            husband_home = home if random() < 0.6 else gen.unit(home_county)
            members.append((Sex.MALE, husband_age, marital, husband_home))
        # Arrival in the last three years, not before the age of 16.
        members_min_age = min(member[1] for member in members)
        window = min(ARRIVAL_WINDOW_DAYS, (members_min_age - 16) * 365)
        arrival = gen.cap - int(window * random() ** 1.3)
        reason = gen.reasons.pick(random)
        first_pk = ids.person + len(persons)
        for offset, (sex, age, marital, person_home) in enumerate(members):
            pk = first_pk + offset
            spouse = None
            if len(members) == 2:
                spouse = first_pk + 1 - offset
            persons.append(
                _person_row(gen, pk, sex, age, marital, spouse, person_home, home_county, residence)
            )
            _registrations(gen, ids, pk, persons[-1], person_home, residence, arrival, reason,
                           registrations, events)  # fmt: skip
    ids.person += len(persons)
    return _Batch(first, persons, registrations, events)


def _married(random) -> str:
    return MaritalStatus.FIRST_MARRIAGE if random() < 0.92 else MaritalStatus.REMARRIED


def _female_marital(random, age: int) -> str:
    married_share = (
        0.0 if age < 20 else 0.1 if age < 22 else 0.35 if age < 25 else 0.65 if age < 30 else 0.87
    )
    if random() < married_share:
        return _married(random)
    if age >= 25 and random() < 0.06:
        return MaritalStatus.DIVORCED if age < 35 or random() < 0.8 else MaritalStatus.WIDOWED
    return MaritalStatus.UNMARRIED


# Places in a person row (people.bulk.PERSON_FIELDS) that the demo fills or redraws later.
_CIPHER, _INDEX, _MASKED, _BIRTH, _CREATED, _UPDATED = map(
    PERSON_FIELDS.index,
    ("id_number_cipher", "id_number_index", "id_number_masked", "birth_date", "created_at",
     "updated_at"),
)  # fmt: skip


def _person_row(gen, pk, sex, age, marital, spouse, home, home_county, residence) -> list:
    while True:
        birth = gen.birth(age)
        value = gen.identity(home_county, birth, sex)
        if value is not None:
            break
    phone = gen.phone() if gen.random() < PHONE_SHARE else ""
    sealed_phone = gen.sealer.phone(phone)
    # created_at and updated_at: from the registrations below
    return person_row(pk, gen.sealer.id_number(value), gen.name(sex), sex,
                      dt.date.fromordinal(birth), sealed_phone, home, residence, marital, spouse,
                      None, None)  # fmt: skip


def _registrations(gen, ids, pk, person, home, residence, arrival, reason, registrations, events):
    """The inflow registration, most often the linked outflow one, and their events."""
    random = gen.random
    moments = []
    # Inflow, by the residence village or its township (R-REGN-1), served within 30 days
    # (R-REGN-5) except for the late ones.
    received, recorded, in_time = gen.received_and_recorded(arrival, 0.15, 31, 150)
    by_unit = residence if len(residence) == 9 or random() < 0.7 else residence[:9]
    dwelling = None
    if random() < 0.02:  # R-REGN-3: works here, lives in another place of the county
        dwelling = gen.unit(residence[:6])
        dwelling = None if dwelling == residence else dwelling
    inflow_at = gen.moment(recorded)
    inflow = registration_row(ids.registration, pk, RegistrationKind.INFLOW, home, residence,
                              dwelling, by_unit, reason, _date(arrival), _date(received),
                              inflow_at, in_time)  # fmt: skip
    ids.registration += 1
    events.append(event_row(ids.event, pk, inflow_at, EventType.REGISTERED_INFLOW, None, by_unit,
                            registered_data(inflow[0], home, residence, inflow[9])))  # fmt: skip
    ids.event += 1
    moments.append(inflow_at)
    outflow = None
    if random() < OUTFLOW_SHARE:
        departure = arrival - int(random() * 4)
        received, recorded, in_time = gen.received_and_recorded(departure, 0.1, 61, 150)
        by_unit = home if len(home) == 9 or random() < 0.6 else home[:9]
        # R-REGN-4: news from the person; none for more than 60 days flags lost contact.
        if random() < 0.88:
            contact = max(departure, gen.cap - int(random() * LOST_CONTACT_DAYS))
        else:
            contact = departure + int(random() * max(gen.cap - departure - LOST_CONTACT_DAYS, 1))
        contact = min(contact, gen.cap)
        lost = gen.cap + 1 - contact > LOST_CONTACT_DAYS
        outflow_at = gen.moment(recorded)
        outflow = registration_row(ids.registration, pk, RegistrationKind.OUTFLOW, home,
                                   residence, None, by_unit, reason, _date(departure),
                                   _date(received), outflow_at, in_time,
                                   last_contact_on=_date(contact), lost_contact=lost)  # fmt: skip
        ids.registration += 1
        events.append(event_row(ids.event, pk, outflow_at, EventType.REGISTERED_OUTFLOW, None,
                                by_unit, registered_data(outflow[0], home, residence,
                                                         outflow[9])))  # fmt: skip
        ids.event += 1
        # R-REGN-2: the second of the two registrations links them.
        linked_at, linked_unit = max((inflow_at, inflow[7]), (outflow_at, by_unit))
        events.append(event_row(ids.event, pk, linked_at, EventType.LINKED, None, linked_unit,
                                linked_data(inflow[0], outflow[0])))  # fmt: skip
        ids.event += 1
        moments.append(outflow_at)
    if random() < CLOSED_SHARE:
        _close(gen, ids, pk, inflow, outflow, events, moments)
    person[_CREATED] = min(moments)
    person[_UPDATED] = max(moments)
    registrations.append(tuple(inflow))
    if outflow is not None:
        registrations.append(tuple(outflow))


def _close(gen, ids, pk, inflow, outflow, events, moments) -> None:
    """R-REGN-6: returned home (both sides close) or moved on (the residence record closes)."""
    random = gen.random
    returned = random() < 0.8
    closing = [inflow] + ([outflow] if returned and outflow is not None else [])
    earliest = max(row[11] for row in closing).toordinal() + 1
    if earliest > gen.cap:
        return
    closed_on = earliest + int(random() * (gen.cap - earliest + 1))
    reason = CloseReason.RETURNED_HOME if returned else CloseReason.MOVED_ON
    at = gen.moment(closed_on)
    for row in closing:
        row[3], row[13], row[14], row[16] = (
            RegistrationStatus.CLOSED,
            _date(closed_on),
            reason,
            False,
        )
        events.append(event_row(ids.event, pk, at, EventType.CLOSED, None, row[7],
                                closed_data(row[0], reason)))  # fmt: skip
        ids.event += 1
    moments.append(at)


# --- writing ------------------------------------------------------------------------------------


class _Writer:
    """The registry's bulk writer (people.bulk) with keys assigned by us, ahead: a batch is
    built, keys and all, while the previous one is written."""

    def __init__(self):
        self.bulk = Writer.for_connection()
        self.vendor = connection.vendor
        self.tables = tuple(
            table.name for table in (self.bulk.persons, self.bulk.registrations, self.bulk.events)
        )

    def session(self):
        """The bulk writer's session (SQLite: a large page cache, no per-row foreign-key
        lookups outside a transaction: the rows reference divisions read from the table and
        keys assigned here, so they are consistent by construction)."""
        return self.bulk.session()

    def next_ids(self) -> _Ids:
        """The next free primary key of each table."""
        with connection.cursor() as cursor:
            firsts = []
            for table in self.tables:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
                firsts.append(cursor.fetchone()[0])
        return _Ids(*firsts)

    def start(self, expected: _Ids) -> None:
        """In the batch's transaction: lock (PostgreSQL) and check its keys are still free.

        SQLite begins transactions IMMEDIATE (settings), so the keys stay free until commit.
        """
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {', '.join(self.tables)} IN SHARE ROW EXCLUSIVE MODE"  # noqa: S608
                )
        if self.next_ids() != expected:
            raise DemoDataError(
                _("Persons were registered by someone else during the run; run the demo again.")
            )

    def existing_indexes(self, indexes: list[str]) -> set[str]:
        return set(self.bulk.match_persons(indexes))

    def write(self, batch: _Batch) -> None:
        bulk = self.bulk
        bulk.insert(bulk.persons, batch.persons)
        bulk.insert(bulk.registrations, batch.registrations)
        bulk.insert(bulk.events, batch.events)

    def finish(self, batch: _Batch) -> None:
        """PostgreSQL identity sequences continue after the keys we assigned."""
        last = (
            batch.first.person + len(batch.persons) - 1,
            batch.first.registration + len(batch.registrations) - 1,
            batch.first.event + len(batch.events) - 1,
        )
        for table, last_id in zip(self.tables, last, strict=True):
            continue_identity(table, last_id)


def _avoid_stored(gen: _Generator, writer: _Writer, persons: list[list]) -> None:
    """Redraw the IDs of generated persons that an earlier run or a clerk already stored."""
    pending = persons
    while pending:
        taken = writer.existing_indexes([row[_INDEX] for row in pending])
        pending = [row for row in pending if row[_INDEX] in taken]
        for row in pending:
            county, sex, birth = row[10][:6], row[5], row[_BIRTH].toordinal()
            age = _age(row[_BIRTH], gen.today)
            value = gen.identity(county, birth, sex)
            while value is None:
                birth = gen.birth(age)
                value = gen.identity(county, birth, sex)
            row[_CIPHER], row[_INDEX], row[_MASKED] = gen.sealer.id_number(value)
            row[_BIRTH] = dt.date.fromordinal(birth)


def _batches(gen: _Generator, counts: list[int], ids: _Ids, *, ahead: bool) -> Iterator[_Batch]:
    if not ahead:
        for count in counts:
            yield _build_batch(gen, count, ids)
        return
    gen.warm_up()  # the builder thread must not query the database
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-build") as pool:
        pending = None
        for count in counts:
            following = pool.submit(_build_batch, gen, count, ids)
            if pending is not None:
                yield pending.result()
            pending = following
        if pending is not None:
            yield pending.result()


def generate(
    persons: int,
    *,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    batch_size: int = BATCH_PERSONS,
    progress: Callable[[int, int, float], None] | None = None,
) -> DemoReport:
    """Add `persons` synthetic migrants with their registrations and events; see the module doc.

    `progress(done, total, seconds)` is called about every tenth of the way.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    places = Places.load()
    writer = _Writer()
    stored = Person.objects.exists()
    run_seed = f"{seed}/{Person.objects.count()}" if stored else str(seed)
    gen = _Generator(places, random.Random(run_seed), today, aware=writer.vendor != "sqlite")
    report = DemoReport(seed=run_seed)
    step = max(persons // 10, 1)
    next_report = step
    counts = [min(batch_size, persons - done) for done in range(0, persons, batch_size)]
    with writer.session():
        # Batches are built one ahead in a thread while the database writes the previous one
        # (sqlite3 and libpq release the GIL); redrawing IDs against stored ones needs the
        # database, so a run on a non-empty registry builds in line.
        for batch in _batches(gen, counts, writer.next_ids(), ahead=not stored):
            with transaction.atomic():
                writer.start(batch.first)
                if stored:
                    _avoid_stored(gen, writer, batch.persons)
                writer.write(batch)
                writer.finish(batch)
            report.persons += len(batch.persons)
            report.registrations += len(batch.registrations)
            report.events += len(batch.events)
            if progress and (report.persons >= next_report or report.persons == persons):
                progress(report.persons, persons, time.perf_counter() - started)
                next_report = (report.persons // step + 1) * step
    # R-STAT-1: the statistics counters, rebuilt set-based after the bulk load
    report.recount_seconds = stats_recount().seconds
    refresh_statistics([*writer.tables, StatCounter._meta.db_table])
    report.seconds = time.perf_counter() - started
    return report
