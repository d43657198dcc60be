"""Reference data this app adds: the national free-service list (R-SVC-1) and the default
deadlines of the request types of services and complaints (R-SVC-2, R-GRV-1, R-EX-2).

Used by the data migration and by transactional tests (which flush every table).
"""

# code, name, English name, category, basic (free by law), sort
SERVICE_TYPES = [
    ("oral_contraceptives", "口服避孕药", "Oral contraceptives", "supplies", True, 10),
    ("condoms", "避孕套", "Condoms", "supplies", True, 11),
    ("emergency_contraception", "紧急避孕药", "Emergency contraception", "supplies", True, 12),
    ("injectable_contraceptives", "避孕针", "Injectable contraceptives", "supplies", True, 13),
    (
        "reproductive_checkup",
        "生殖健康检查（孕情环情检查）",
        "Reproductive health check-up",
        "checkup",
        True,
        20,
    ),
    ("iud_insertion", "放置宫内节育器", "IUD insertion", "procedure", True, 30),
    ("iud_removal", "取出宫内节育器", "IUD removal", "procedure", True, 31),
    (
        "implant_insertion",
        "皮下埋植剂放置",
        "Contraceptive implant insertion",
        "procedure",
        True,
        32,
    ),
    ("implant_removal", "皮下埋植剂取出", "Contraceptive implant removal", "procedure", True, 33),
    ("tubal_ligation", "输卵管绝育术", "Tubal ligation", "procedure", True, 34),
    ("vasectomy", "输精管绝育术", "Vasectomy", "procedure", True, 35),
    (
        "extended_gynaecological_exam",
        "妇科疾病扩展检查（自选项目）",
        "Extended gynaecological examination (optional, not on the free list)",
        "checkup",
        False,
        90,
    ),
]

# R-EX-2: notifications and answers within 15 working days; a complaint is answered likewise.
DEFAULT_DEADLINES = {"service_report": 15, "complaint_referral": 15}


def seed_service_types(ServiceType=None) -> int:
    if ServiceType is None:
        from yipanqi.services.models import ServiceType
    created = 0
    for code, name, name_en, category, basic, sort in SERVICE_TYPES:
        _row, was_created = ServiceType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "category": category,
                "basic": basic,
                "sort": sort,
            },
        )
        created += was_created
    return created


def add_default_deadlines(RuleSet=None) -> int:
    """Give every rule set that has no deadline for these types the default.

    Only missing keys are added: no deadline that a request already used changes, so the rule
    sets stay what they were for every existing request (R-REG-1).
    """
    if RuleSet is None:
        from yipanqi.regions.models import RuleSet
    changed = 0
    for rule_set in RuleSet.objects.all():
        missing = {k: v for k, v in DEFAULT_DEADLINES.items() if k not in rule_set.deadlines}
        if missing and rule_set.deadlines:
            rule_set.deadlines = {**rule_set.deadlines, **missing}
            rule_set.save(update_fields=["deadlines"])
            changed += 1
    return changed


def seed_all() -> None:
    """For transactional tests after `seed_regions()`."""
    seed_service_types()
    add_default_deadlines()
