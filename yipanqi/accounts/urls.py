from django.urls import path

from yipanqi.accounts import views

app_name = "accounts"

urlpatterns = [
    path("second-factor/setup/", views.otp_setup, name="otp_setup"),
    path("second-factor/", views.otp_verify, name="otp_verify"),
    path("password/", views.password_change, name="password"),
]
