"""The one scope object: what part of the country a user's work covers (R-ACC-2, R-JUR-1).

A scope is a division code prefix: `""` for the nation, a code for its subtree, or nothing at all
(the separated administrators, a department feeder reading persons, an inactive account). Every
`visible_to` and every `may_*` check asks it, so "sees nothing" can never be read as "sees the
nation" the way `scope_code(user) or ""` once did.
"""

from dataclasses import dataclass

from django.db.models import Q

from yipanqi.divisions.models import within_q

# Q that matches no row (Django answers it without asking the database).
NOTHING = Q(pk__in=[])


@dataclass(frozen=True, slots=True)
class Scope:
    """A subtree of the division tree, the whole nation, or nothing."""

    code: str | None

    @classmethod
    def of(cls, user, *, feeds: bool = False) -> "Scope":
        """The user's casework scope, or with feeds=True the scope of their feed reports and
        import jobs (a department feeder's own jurisdiction, R-FEED-1)."""
        attribute = "feed_scope_code" if feeds else "scope_code"
        return cls(getattr(user, attribute, None) if user is not None else None)

    @classmethod
    def within(cls, code: str) -> "Scope":
        """The subtree of a division code ("" for the nation)."""
        return cls(code)

    @property
    def nation(self) -> bool:
        """Whether the scope is the whole country."""
        return self.code == ""

    @property
    def none(self) -> bool:
        """Whether the scope covers nothing at all."""
        return self.code is None

    def covers(self, code: str | None) -> bool:
        """Whether a division code lies inside the scope (a code outside every scope, None, never
        does)."""
        return self.code is not None and code is not None and code.startswith(self.code)

    def covers_any(self, *codes: str | None) -> bool:
        """Whether any of the codes (a request's sender or receiver, say) lies inside the scope."""
        return any(self.covers(code) for code in codes)

    def meets(self, code: str | None) -> bool:
        """Whether a code and the scope lie on one branch: the scope covers the code, or the code
        covers the scope (a home known only to the county, a sender below or above)."""
        if self.code is None or code is None:
            return False
        return code.startswith(self.code) or self.code.startswith(code)

    def q(self, *fields: str) -> Q:
        """Rows whose division field, any of `fields`, lies inside the scope (range, not LIKE)."""
        if not fields:
            raise ValueError("Scope.q needs at least one field")
        if self.code is None:
            return NOTHING
        if self.code == "":
            return Q()
        condition = within_q(fields[0], self.code)
        for field in fields[1:]:
            condition |= within_q(field, self.code)
        return condition

    def filter(self, queryset, *fields: str):
        """The queryset cut to the scope: none of it, all of it for the nation (no condition for
        the planner to weigh), else the rows `q(*fields)` matches."""
        if self.code is None:
            return queryset.none()
        if self.code == "":
            return queryset
        return queryset.filter(self.q(*fields))

    def code_or_nation(self) -> str:
        """The prefix for a report over the scope. Refuses the empty scope rather than reading it
        as the nation."""
        if self.code is None:
            raise PermissionError("an empty scope has no report")
        return self.code
