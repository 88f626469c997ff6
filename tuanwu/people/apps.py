from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tuanwu.people"
    label = "people"
    verbose_name = "人员"

    def ready(self):
        from tuanwu.core import nav

        nav.register(group="组织", label="团员名册", key="people", url_name="people:list", order=20, quick=True)
