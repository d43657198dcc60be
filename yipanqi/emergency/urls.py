from django.urls import path

from yipanqi.emergency import views

app_name = "emergency"

# Mounted at the site's root: the break-glass page sits with the account pages, the review
# list with the audit trail, where their users look for them.
urlpatterns = [
    path("account/emergency-access/", views.emergency_access, name="open"),
    path("audit/emergency-access/", views.emergency_reviews, name="reviews"),
    path("audit/emergency-access/<int:pk>/review/", views.emergency_review, name="review"),
]
