from django.urls import path

from yipanqi.exchange import views

app_name = "exchange"

urlpatterns = [
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("requests/<int:pk>/answer/", views.answer, name="answer"),
    path("requests/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("requests/<int:pk>/close/", views.close, name="close"),
    path("requests/<int:pk>/decide/", views.decide, name="decide"),
    path("requests/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("requests/<int:pk>/assign/", views.assign, name="assign"),
    path("coordination/", views.coordination_list, name="coordination"),
    path("new/", views.new_request, name="new"),
    path("<str:box>/", views.box, name="box"),
]
