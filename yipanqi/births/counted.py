"""The births' counted fact (R-STAT-5 sex ratio at birth), defined once (see
ledger/families.py) and registered with the ledger by BirthsConfig.ready()."""

from django.db.models import Q

from yipanqi.ledger.families import Count, Family

BIRTHS = Family(
    name="births",
    model_label="births.BirthReport",
    # A birth counts once: a report kept as a duplicate of another does not (issue 16.11).
    base=Q(duplicate_of__isnull=True),
    base_test=lambda b: b.duplicate_of_id is None,
    # R-STAT-5: where the birth happened, in the month of birth.
    division="unit_id",
    month_field="birth_date",
    counts=(
        Count("birth.male", Q(child_sex="M"), lambda b: b.child_sex == "M"),
        Count("birth.female", Q(child_sex="F"), lambda b: b.child_sex == "F"),
    ),
    person_path="mother",
)

FAMILIES = (BIRTHS,)
