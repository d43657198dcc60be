from django.urls import path

from yipanqi.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
    path("drill/", views.drill, name="drill"),
    path("assessment/", views.assessment, name="assessment"),
    path("report/", views.report, name="report"),
]
