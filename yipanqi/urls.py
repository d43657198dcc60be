from django.contrib import admin
from django.urls import include, path

from yipanqi.api.v1 import api
from yipanqi.ops import views as ops_views
from yipanqi.web import health
from yipanqi.web.favicon import favicon

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("yipanqi.emergency.urls")),
    path("account/", include("yipanqi.accounts.urls")),
    path("audit/", include("yipanqi.audit.urls")),
    path("api/v1/", api.urls),
    path("divisions/", include("yipanqi.divisions.urls")),
    # The rule sets' pages kept their addresses under /exchange/ when they moved to regions.
    path("exchange/rules/", include("yipanqi.regions.urls")),
    path("exchange/", include("yipanqi.exchange.urls")),
    path("certificates/", include("yipanqi.certificates.urls")),
    path("births/", include("yipanqi.births.urls")),
    path("services/", include("yipanqi.services.urls")),
    path("grievances/", include("yipanqi.grievances.urls")),
    path("directory/", include("yipanqi.directory.urls")),
    path("imports/", include("yipanqi.feeds.urls")),
    path("imports/", include("yipanqi.imports.urls")),
    path("stats/", include("yipanqi.stats.urls")),
    path("workdays/", include("yipanqi.workdays.urls")),
    path("ops/", include("yipanqi.ops.urls")),
    path("public/", include("yipanqi.directory.public_urls")),
    path("", include("yipanqi.people.urls")),
    path("", include("yipanqi.web.urls")),
]

# Issue 16.11: a body that grows over the size limit while read answers 413 with a plain reason.
handler400 = "yipanqi.core.bodylimit.bad_request"
# Under /api/ a URL no route matches answers the API's documented error shape (issue 16.10).
handler404 = "yipanqi.api.v1.errors.not_found"
