from django.urls import path

from yipanqi.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("mine/", views.mine, name="mine"),
]
