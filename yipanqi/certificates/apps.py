from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "yipanqi.certificates"
    label = "certificates"
