from django.conf import settings

from . import nav, todos


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def todo_count():
        return todos.count_for(user)

    return {
        "todo_count": todo_count,
        "nav_groups": nav.groups_for(user),
        "sample_data": getattr(settings, "TUANWU_SHOW_SAMPLE_BADGE", True),
    }
