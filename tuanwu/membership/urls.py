from django.urls import path

from . import views

app_name = "membership"

urlpatterns = [
    path("register/<int:pk>/", views.member_register, name="register"),
    path("open/<int:pk>/", views.membership_open, name="open"),
    path("<int:pk>/status/", views.membership_status, name="status"),
    path("<int:pk>/move/", views.membership_move, name="move"),
]

# Membership life (issue 4): development, review, registration, 推优入党, dues, transfers, exits.
from .life_urls import urlpatterns as _life_urlpatterns  # noqa: E402

urlpatterns += _life_urlpatterns
