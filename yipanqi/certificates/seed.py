"""Default answer deadlines of the certificate request types, added to every seeded rule set.

Used by this app's data migration and by transactional tests after `seed_regions()`.
"""

# R-EX-2: the other side verifies and answers within 15 working days of receipt.
DEADLINES = {
    "certificate_notice": 15,  # R-CERT-2: renewal or revocation told to the residence
    "certificate_change": 15,  # R-CERT-3: change of status told to the home side
}


def add_default_deadlines(RuleSet=None, deadlines: dict[str, int] = DEADLINES) -> int:
    """Add the missing types to each rule set's deadlines; returns how many sets changed.

    Adding a deadline for a type that had none changes no earlier request, so the rule sets
    stay what they were for every existing request (R-REG-1).
    """
    if RuleSet is None:
        from yipanqi.regions.models import RuleSet
    changed = 0
    for rule_set in RuleSet.objects.all():
        missing = {k: v for k, v in deadlines.items() if k not in rule_set.deadlines}
        if missing and rule_set.deadlines:
            rule_set.deadlines = {**rule_set.deadlines, **missing}
            rule_set.save(update_fields=["deadlines"])
            changed += 1
    return changed
