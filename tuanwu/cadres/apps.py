from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "tuanwu.cadres"
    label = "cadres"
    verbose_name = "团干部"

    def ready(self):
        from tuanwu.core import nav

        from . import todos  # noqa: F401  (registers the staffing to-do provider)

        nav.register(group="团干部", label="干部配备", key="cadres", url_name="cadres:index", order=10, quick=True)
