from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tuanwu.activities"
    label = "activities"
    verbose_name = "学习与活动"

    def ready(self):
        from tuanwu.core import nav

        from . import panels, todos  # noqa: F401  (register the unit panel and to-do providers)

        group = "学习活动"
        nav.register(group=group, label="活动", key="activities", url_name="activities:list", order=10, quick=True)
        nav.register(group=group, label="活动统计", key="stats", url_name="activities:stats_home", order=20)
        nav.register(group=group, label="青年大学习", key="study", url_name="activities:study_home", order=30,
                     quick=True)
        nav.register(group=group, label="主题团（队）日", key="themes", url_name="activities:themes_home", order=40)
        nav.register(group=group, label="三会两制一课", key="compliance", url_name="activities:compliance_home",
                     order=50)
