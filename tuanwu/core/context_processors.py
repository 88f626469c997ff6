from django.conf import settings

from . import nav


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    return {
        # The badge loads after the page (htmx), so no page pays for every app's to-do providers;
        # the home and to-do pages, which compute the items anyway, pass their own count.
        "todo_count": None,
        "nav_groups": nav.groups_for(user),
        "sample_data": getattr(settings, "TUANWU_SHOW_SAMPLE_BADGE", True),
    }
