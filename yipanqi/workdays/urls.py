from django.urls import path

from yipanqi.workdays import views

app_name = "workdays"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/confirm/", views.confirm, name="confirm"),
]
