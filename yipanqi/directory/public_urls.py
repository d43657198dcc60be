"""Public pages, no account (R-DIR-2, R-ACC-3): services near you, the complaint form and the
status look-up."""

from django.urls import path

from yipanqi.directory import views
from yipanqi.grievances import views as grievances

app_name = "public"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("complaint/", grievances.public_new, name="complaint"),
    path("complaint/status/", grievances.public_status, name="complaint_status"),
    path("divisions/<str:code>/", views.public_children, name="children"),
    path("division/<str:code>", views.public_division, name="division"),
]
