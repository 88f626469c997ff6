from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "tuanwu.organisations"
    label = "organisations"
    verbose_name = "组织"

    def ready(self):
        from . import todos  # noqa: F401  (registers to-do providers)
