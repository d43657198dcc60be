from django.urls import path

from yipanqi.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.rule_sets, name="rules"),
    path("<slug:code>/", views.region, name="region"),
]
