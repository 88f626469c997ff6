from django.urls import path

from . import views, views_accounts, views_export

app_name = "organisations"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("export.xlsx", views_export.unit_export, name="unit_export"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/children/", views.unit_children, name="unit_children"),
    path("<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:pk>/new/", views.unit_create, name="unit_create"),
    path("<int:pk>/move/", views.unit_move, name="unit_move"),
    path("<int:pk>/close/", views.unit_close, name="unit_close"),
    path("<int:pk>/terms/new/", views.term_create, name="term_create"),
    path("<int:pk>/grants/", views_accounts.grant_list, name="grants"),
    path("<int:pk>/accounts/new/", views_accounts.account_create, name="account_create"),
    path("grants/<int:pk>/end/", views_accounts.grant_end, name="grant_end"),
    path("grants/<int:pk>/reset-password/", views_accounts.password_reset, name="password_reset"),
]
