from django.contrib.auth import views as auth_views
from django.urls import path

from yipanqi.accounts import views as account_views
from yipanqi.people import views as people_views
from yipanqi.web import views

app_name = "web"

urlpatterns = [
    path("login/", account_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("persons/", people_views.person_search, name="person_search"),
    path("persons/<int:pk>/", people_views.person, name="person"),
    path("persons/<int:pk>/contact/", people_views.record_contact, name="record_contact"),
    path("register/<str:kind>/", people_views.register, name="register"),
    path("tokens/", account_views.tokens, name="tokens"),
]
