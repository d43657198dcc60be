from django.urls import path

from yipanqi.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:job_id>/", views.job, name="job"),
    path("<int:job_id>/start/", views.start, name="start"),
    path("<int:job_id>/progress/", views.progress, name="progress"),
    path("<int:job_id>/report/", views.report, name="report"),
    path("export/<slug:what>.<slug:fmt>", views.export, name="export"),
]
