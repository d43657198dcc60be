from django.urls import path

from yipanqi.audit import reviews, views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="events"),
    path("emergency-access/", reviews.emergency_reviews, name="emergency_reviews"),
    path("emergency-access/<int:pk>/review/", reviews.emergency_review, name="emergency_review"),
]
