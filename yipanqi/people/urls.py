from django.urls import path

from yipanqi.people import views

app_name = "people"

urlpatterns = [
    path("persons/", views.person_search, name="person_search"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/contact/", views.record_contact, name="record_contact"),
    path("register/<str:kind>/", views.register, name="register"),
    # R-REGN-6, under the path it has always had.
    path("exchange/departures/<int:registration_id>/", views.departure, name="departure"),
]
