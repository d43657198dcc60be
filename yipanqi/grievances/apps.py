from django.apps import AppConfig


class GrievancesConfig(AppConfig):
    name = "yipanqi.grievances"
    label = "grievances"
