import time

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yipanqi.core.models import Throttle


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin):
    """The security administrator lifts a back-off by deleting its row (audited by the site)."""

    list_display = ["what", "count", "window_ends", "backoff_left"]
    search_fields = ["key"]
    actions = ["delete_selected"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("what is counted"), ordering="key")
    def what(self, obj):
        """An API token's row is keyed by the token's id: show its prefix and owner."""
        prefix, sep, token_id = obj.key.rpartition("tok:")
        if not sep or not token_id.isdigit():
            return obj.key
        from yipanqi.accounts.models import ApiToken

        token = ApiToken.objects.select_related("user").filter(pk=int(token_id)).first()
        shown = f"{token.prefix}… ({token.user})" if token else token_id
        return f"{prefix}{sep}{shown}"

    @admin.display(description=_("window ends in (seconds)"))
    def window_ends(self, obj):
        return max(0, int(obj.expires - time.time()))

    @admin.display(description=_("back-off left (seconds)"))
    def backoff_left(self, obj):
        return max(0, int(obj.blocked_until - time.time()))
