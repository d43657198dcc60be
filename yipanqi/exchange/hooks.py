"""What the domain apps plug into exchange, so that exchange imports none of them.

Exchange lies below the domains (people, certificates, births, services, grievances): they send
requests, it carries them. Where it must act on a domain's behalf it reads these registries,
which each domain fills from its own `hooks.py`, called by its AppConfig.ready():

- `register_describer(types, fn)`: the function that puts a request type's payload in words on
  the detail page and in the API (payloads.describe). Every RequestType needs one; the system
  check `exchange.E001` fails when one is missing.
- `on_answered(type, fn)`: what else happens, in the answer's transaction, when a request of
  that type is answered (a birth confirmation on the registration's timeline, R-BIRTH-2).
- `register_sweep_step(name, fn)`: a daily check run by the sweep after its own overdue step,
  in registration order (INSTALLED_APPS order); its count lands in SweepReport under `name`.
- `register_person_lookups(...)`: the registry's reads the inbox and the request pages need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yipanqi.exchange.models import Request
    from yipanqi.exchange.payloads import Described

Describer = Callable[["Request", Any, "Described"], None]
Answered = Callable[..., None]  # fn(request, *, acting_user, now)
SweepStep = Callable[..., int]  # fn(today, *, now) -> how many rows it changed

_describers: dict[str, Describer] = {}
_answered: dict[str, list[Answered]] = {}
_sweep_steps: dict[str, SweepStep] = {}


def register_describer(types: Iterable[str], fn: Describer) -> None:
    """`fn(request, user, described)` fills in the payload of requests of these types."""
    for type_ in types:
        _describers[str(type_)] = fn


def describer_for(type_: str) -> Describer | None:
    return _describers.get(str(type_))


def described_types() -> set[str]:
    return set(_describers)


def on_answered(type_: str, fn: Answered) -> None:
    """`fn(request, acting_user=..., now=...)` runs inside answer_request's transaction."""
    handlers = _answered.setdefault(str(type_), [])
    if fn not in handlers:
        handlers.append(fn)


def answered_handlers(type_: str) -> list[Answered]:
    return list(_answered.get(str(type_), ()))


def register_sweep_step(name: str, fn: SweepStep) -> None:
    """`fn(today, now=...)` is one idempotent daily check; it returns how many rows it changed."""
    _sweep_steps[name] = fn


def sweep_steps() -> list[tuple[str, SweepStep]]:
    return list(_sweep_steps.items())


@dataclass(frozen=True)
class PersonLookups:
    """The registry's reads exchange shows: persons a user may see (a queryset), one person by
    id under the user's scope (NotFound otherwise, audited as the registry audits it), and the
    user's outflow registrations flagged as lost contact (R-REGN-4, a queryset)."""

    visible: Callable[[Any], Any]
    access: Callable[..., Any]  # access(user, person_id, *, origin)
    lost_contact: Callable[[Any], Any]


_person_lookups: list[PersonLookups] = []


def register_person_lookups(lookups: PersonLookups) -> None:
    _person_lookups[:] = [lookups]


def person_lookups() -> PersonLookups:
    if not _person_lookups:
        raise LookupError("no app registered the person lookups (people.hooks)")
    return _person_lookups[0]


def sweep_day(today: dt.date, *, now: dt.datetime) -> dict[str, int]:
    """Run every registered sweep step for `today`; their counts by name."""
    return {name: step(today, now=now) for name, step in sweep_steps()}
