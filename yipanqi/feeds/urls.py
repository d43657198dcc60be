from django.urls import path

from yipanqi.feeds import views

app_name = "feeds"

# Under /imports/, where department feeds have always been sent and read.
urlpatterns = [
    path("leads/", views.lead_list, name="leads"),
    path("leads/<int:lead_id>/close/", views.lead_close, name="lead_close"),
    path("feeds/", views.feed_list, name="reports"),
]
