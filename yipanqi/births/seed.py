"""Default answer deadlines of the birth request types, added to every seeded rule set.

Used by this app's data migration and by transactional tests after `seed_regions()`.
"""

DEADLINES = {
    "birth_confirmation": 15,  # R-BIRTH-2 step 2: each home township within 15 working days
    "birth_notice": 15,  # R-EX-2: the other side verifies and answers within 15
    "birth_report": 15,  # R-EX-2, R-BIRTH-4
}


def add_default_deadlines(RuleSet=None) -> int:
    from yipanqi.certificates.seed import add_default_deadlines as add

    return add(RuleSet, DEADLINES)
