from django.apps import AppConfig


def _sees_volunteers(user) -> bool:
    from tuanwu.organisations import access

    from .models import Cohort

    return user.is_superuser or access.visible_to(user, Cohort.objects.all()).exists()


def _is_volunteer(user) -> bool:
    from .models import Volunteer

    return Volunteer.objects.filter(person__user=user).exists()


class VolunteeringConfig(AppConfig):
    name = "tuanwu.volunteering"
    label = "volunteering"
    verbose_name = "西部计划"

    def ready(self):
        from tuanwu.core import nav, todos

        from . import todos as volunteer_todos

        nav.register(group="西部计划", label="届次与志愿者", key="volunteers", url_name="volunteering:cohort_list",
                     order=10, visible=_sees_volunteers, quick=True)
        nav.register(group="西部计划", label="推荐意见", key="volunteer_recommendations",
                     url_name="volunteering:recommendation_list", order=20, visible=_sees_volunteers)
        nav.register(group="西部计划", label="留疆情况", key="volunteer_retention", url_name="volunteering:retention",
                     order=30, visible=_sees_volunteers)
        nav.register(group="我的", label="我的志愿服务", key="my_volunteer", url_name="volunteering:my_service",
                     order=50, visible=_is_volunteer, quick=True)
        todos.register(volunteer_todos.alerts_for)
