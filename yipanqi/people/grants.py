"""The registry's side of break-the-glass (issue 7.4): a person a user holds a live grant for.

Opening a grant is the `emergency` app's (it looks persons up and checks exchange requests);
reading what a grant opens is the registry's own, so people asks no app above it.
"""

from django.utils import timezone

from yipanqi.accounts.models import EmergencyAccess, User
from yipanqi.people.models import Person


def emergency_person(user: User, person_id: int, now=None) -> Person | None:
    """The person, if the user holds an unexpired emergency grant for them."""
    if not getattr(user, "can_see_persons", False):
        return None
    has_grant = EmergencyAccess.objects.filter(
        user=user, person_id=person_id, expires_at__gt=now or timezone.now()
    ).exists()
    if not has_grant:
        return None
    return Person.objects.select_related("home", "residence").filter(pk=person_id).first()
