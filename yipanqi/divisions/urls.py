from django.urls import path

from yipanqi.divisions import views

app_name = "divisions"

urlpatterns = [
    path("children/", views.children, name="provinces"),
    path("children/<str:code>/", views.children, name="children"),
]
