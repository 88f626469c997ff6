from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tuanwu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        # Rule definitions are declared in code; importing registers them.
        from tuanwu.organisations import access

        from . import nav, rule_definitions  # noqa: F401

        nav.register(group="工作台", label="首页", key="home", url_name="core:home", order=10)
        nav.register(group="工作台", label="待办事项", key="todos", url_name="core:todos", order=20, quick=True)
        # Shown only to those the pages would let in (a unit secretary got 403 from both).
        nav.register(group="管理", label="规则参数", key="rules", url_name="core:rules_home", order=10,
                     visible=_holds_anywhere(access.MANAGE_RULES), quick=True)
        nav.register(group="管理", label="操作日志", key="audit", url_name="core:audit", order=20,
                     visible=_holds_anywhere(access.VIEW_AUDIT), quick=True)


def _holds_anywhere(permission: str):
    def visible(user) -> bool:
        from tuanwu.organisations import access

        return user.is_superuser or any(permission in s.permissions for s in access.scopes(user))

    return visible
