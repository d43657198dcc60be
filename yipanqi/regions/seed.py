"""The seeded regions of R-REG-1 and their first parameters; later changes are new rule sets.

Used by the data migration and by transactional tests (which flush every table).
"""

import datetime as dt

from django.utils.translation import gettext_noop

ALL_15 = {
    "notification": 15,
    "verification": 15,
    "co_investigation": 15,
    "no_certificate_notice": 15,
    "departure_notice": 15,
}
TARGETS = {
    "certificate_rate": 98,
    "verification_rate": 98,
    "service_coverage": 98,
    "free_service_rate": 100,
    "timeliness": 95,
}
# code, name, kind, provinces, convenor, deadlines, checkups (min, max)
REGIONS = [
    ("national", "全国默认", "national", [], "", ALL_15, (None, None)),
    (
        "pan-yangtze",
        "泛长三角",
        "region",
        ["31", "32", "33", "34", "36", "41", "42"],
        "31",
        {**ALL_15, "verification": 10, "co_investigation": 10},
        (None, 2),
    ),
    (
        "bohai-rim",
        "环渤海",
        "region",
        ["11", "12", "13", "37", "21", "23", "22", "41", "14", "15"],
        "11",
        ALL_15,  # Bohai 2.1.2: notifications and answers within 15 working days
        (2, None),  # Bohai: at least twice a year, free
    ),
    (
        "pan-pearl",
        "泛珠三角",
        "region",
        ["35", "36", "43", "44", "45", "46", "50", "51", "52", "53"],
        "44",
        {**ALL_15, "co_investigation": 10},
        (None, None),
    ),
    # Jiangsu's own norms (R-REG-2, same province): check-ups at most twice a year.
    (
        "province-32",
        "江苏",
        "province",
        ["32"],
        "32",
        {**ALL_15, "co_investigation": 7},
        (None, 2),
    ),
]


SEED_NOTE = gettext_noop("The first rule set, as the platform was set up")


def seed_regions(Region=None, RuleSet=None) -> int:
    """Create the seeded regions missing from the database; returns how many were created."""
    if Region is None:
        from yipanqi.regions.models import Region, RuleSet
    created_count = 0
    for code, name, kind, provinces, convenor, deadlines, (low, high) in REGIONS:
        region, created = Region.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "provinces": provinces, "convenor": convenor},
        )
        if created:
            created_count += 1
            RuleSet.objects.create(
                region=region,
                effective_from=dt.date(2010, 1, 1),
                deadlines=deadlines,
                checkups_min_per_year=low,
                checkups_max_per_year=high,
                targets=TARGETS,
                # R-REG-1; the note is shown on the region page, so in words (issue 12.9).
                note=SEED_NOTE,
            )
    return created_count
