from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "tuanwu.elections"
    label = "elections"
    verbose_name = "换届选举"

    def ready(self):
        from tuanwu.core import nav

        from . import panels, todos  # noqa: F401  (register the unit panel and the to-do provider)

        nav.register(group="换届选举", label="选举与换届", key="elections", url_name="elections:list", order=10,
                     visible=lambda user: user.is_authenticated, quick=True)
        nav.register(group="换届选举", label="计票人录入", key="elections_teller", url_name="elections:teller_login",
                     order=20, visible=lambda user: user.is_authenticated)
