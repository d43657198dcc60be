import time

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yipanqi.core.models import Throttle


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin):
    """The security administrator lifts a back-off by deleting its row (audited by the site)."""

    list_display = ["key", "count", "window_ends", "backoff_left"]
    search_fields = ["key"]
    actions = ["delete_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("window ends in (seconds)"))
    def window_ends(self, obj):
        return max(0, int(obj.expires - time.time()))

    @admin.display(description=_("back-off left (seconds)"))
    def backoff_left(self, obj):
        return max(0, int(obj.blocked_until - time.time()))
