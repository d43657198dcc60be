from django.urls import path

from yipanqi.ops import views

app_name = "ops"

urlpatterns = [
    path("schedule/", views.jobs, name="schedule"),
]
