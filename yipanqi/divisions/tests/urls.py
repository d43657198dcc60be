"""Only the URLs these tests need, so they do not depend on the rest of the web UI."""

from django.urls import include, path

from yipanqi.api.v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("divisions/", include("yipanqi.divisions.urls")),
]
