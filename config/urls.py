from django.urls import include, path

from tuanwu.api import api

urlpatterns = [
    path("", include("tuanwu.core.urls")),
    path("accounts/", include("tuanwu.accounts.urls")),
    path("units/", include("tuanwu.organisations.urls")),
    path("people/", include("tuanwu.people.urls")),
    path("membership/", include("tuanwu.membership.urls")),
    path("activities/", include("tuanwu.activities.urls")),
    path("volunteers/", include("tuanwu.volunteering.urls")),
    path("elections/", include("tuanwu.elections.urls")),
    path("cadres/", include("tuanwu.cadres.urls")),
    path("governance/", include("tuanwu.governance.urls")),
    path("api/v1/", api.urls),
]

handler403 = "tuanwu.core.views.permission_denied"
handler404 = "tuanwu.core.views.page_not_found"
