"""The one shape of a refused action and of a record not found, shared by every domain's
services, and how the web pages show them (the API's answers: yipanqi/api/v1/errors.py)."""

import contextlib
import functools

from django.contrib import messages
from django.http import Http404


class Rejected(Exception):
    """An action that breaks a rule: `errors` maps form fields ("__all__" for the whole form)
    to plain-language messages; nothing was written."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def because(cls, message: str, field: str = "__all__") -> "Rejected":
        return cls({field: [message]})

    def messages(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]

    def __str__(self) -> str:
        return "; ".join(str(message) for message in self.messages())


class NotFound(Exception):
    """No such record within your scope, raised also for a record outside it: no answer tells
    apart "exists elsewhere" from "does not exist" (R-ACC-2). `message` says in plain words
    what was looked for (the API's 404 detail); the web shows its 404 page."""

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.message = message


def refusals(view):
    """A view decorator: a NotFound its services raise is the 404 page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None

    return wrapped


@contextlib.contextmanager
def refused_on(form):
    """A Rejected inside the block puts each message on its form field, or on the whole form
    when the form has no such field ("__all__" included); the view goes on to show the form."""
    try:
        yield
    except Rejected as exc:
        for field, problems in exc.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)


@contextlib.contextmanager
def refused_in_messages(request, *, together: bool = False):
    """A Rejected inside the block is shown as error messages on the next page: one per
    problem, or all in one (`together`)."""
    try:
        yield
    except Rejected as exc:
        for message in ["; ".join(exc.messages())] if together else exc.messages():
            messages.error(request, message)
