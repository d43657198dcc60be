from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yipanqi.core"
    label = "core"

    def ready(self):
        from django.core import checks

        from yipanqi.core.pdffonts import check_pdf_font

        checks.register(check_pdf_font)
