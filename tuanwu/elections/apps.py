from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "tuanwu.elections"
    label = "elections"
    verbose_name = "换届选举"
