from django.contrib.auth import views as auth_views
from django.urls import path

from yipanqi.accounts import views as account_views
from yipanqi.web import views

app_name = "web"

urlpatterns = [
    path("login/", account_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("tokens/", account_views.tokens, name="tokens"),
]
