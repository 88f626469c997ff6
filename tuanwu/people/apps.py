from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tuanwu.people"
    label = "people"
    verbose_name = "人员"
