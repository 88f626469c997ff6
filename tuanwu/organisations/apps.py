from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "tuanwu.organisations"
    label = "organisations"
    verbose_name = "组织"

    def ready(self):
        from tuanwu.core import nav

        from . import todos  # noqa: F401  (registers to-do providers)

        nav.register(group="组织", label="组织架构", key="tree", url_name="organisations:tree", order=10, quick=True)
