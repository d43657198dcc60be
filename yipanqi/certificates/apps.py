from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "yipanqi.certificates"
    label = "certificates"

    def ready(self):
        from yipanqi.certificates import hooks

        hooks.register()
