from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "tuanwu.cadres"
    label = "cadres"
    verbose_name = "团干部"
