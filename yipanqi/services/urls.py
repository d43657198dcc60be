from django.urls import path

from yipanqi.services import views

app_name = "services"

urlpatterns = [
    path("persons/<int:person_id>/record/", views.record_service, name="record"),
    path("persons/<int:person_id>/report/", views.send_report, name="send_report"),
    path("persons/<int:person_id>/benefit/", views.record_benefit, name="benefit"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("violations/", views.violations, name="violations"),
    path("supply-points/", views.supply_points, name="supply_points"),
    path("supply-points/<int:pk>/", views.supply_points, name="supply_point"),
]
