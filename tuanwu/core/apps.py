from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tuanwu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        # Rule definitions are declared in code; importing registers them.
        from . import nav, rule_definitions  # noqa: F401

        nav.register(group="工作台", label="首页", key="home", url_name="core:home", order=10)
        nav.register(group="工作台", label="待办事项", key="todos", url_name="core:todos", order=20)
        nav.register(group="管理", label="规则参数", key="rules", url_name="core:rules_home", order=10)
        nav.register(group="管理", label="操作日志", key="audit", url_name="core:audit", order=20)
