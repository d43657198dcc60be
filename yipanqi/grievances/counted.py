"""The complaints' counted fact (R-GRV-1, R-STAT-2), defined once (see ledger/families.py)
and registered with the ledger by GrievancesConfig.ready()."""

from django.db.models import Q

from yipanqi.ledger.families import Count, Family

COMPLAINTS = Family(
    name="complaints",
    model_label="grievances.Complaint",
    base=Q(),
    base_test=lambda c: True,
    # R-GRV-1: counted against the jurisdiction that answers for it, by category (R-STAT-2).
    division="assigned_to_id",
    month_field="received_at",
    key_field="category",
    counts=(Count("grv.received", Q(), lambda c: True),),
)

FAMILIES = (COMPLAINTS,)
