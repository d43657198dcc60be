from django.urls import path

from yipanqi.grievances import views

app_name = "grievances"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.new_complaint, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
]
