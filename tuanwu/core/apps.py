from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tuanwu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        # Rule definitions are declared in code; importing registers them.
        from . import rule_definitions  # noqa: F401
