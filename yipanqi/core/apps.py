from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yipanqi.core"
    label = "core"
    verbose_name = _("System")

    def ready(self):
        from django.core import checks

        from yipanqi.core.pdffonts import check_pdf_font

        checks.register(check_pdf_font)
