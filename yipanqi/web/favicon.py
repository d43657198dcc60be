"""/favicon.ico: browsers ask for it at the root whatever the page links (issue 12.9)."""

from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent.parent / "static" / "yipanqi" / "favicon.ico"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """The platform's icon (the same picture as static/yipanqi/favicon.svg), from local files."""
    return HttpResponse(_icon(), content_type="image/x-icon")
