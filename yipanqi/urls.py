from django.contrib import admin
from django.urls import include, path

from yipanqi.api.v1 import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("divisions/", include("yipanqi.divisions.urls")),
    path("exchange/", include("yipanqi.exchange.urls")),
    path("", include("yipanqi.web.urls")),
]
