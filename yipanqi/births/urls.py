from django.urls import path

from yipanqi.births import views

app_name = "births"

urlpatterns = [
    path("", views.registrations, name="list"),
    path("apply/", views.apply_first_child, name="apply"),
    path("home/", views.register_at_home, name="home"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/ask/", views.ask, name="ask"),
    path("<int:pk>/confirm/<int:request_id>/", views.confirm, name="confirm"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/return/", views.return_file, name="return"),
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
]
