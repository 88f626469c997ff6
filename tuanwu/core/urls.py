from django.urls import path

from . import views, views_imports

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("todos/", views.todo_list, name="todos"),
    path("todos/badge/", views.todo_badge, name="todo_badge"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("rules/", views.rules_home, name="rules_home"),
    path("rules/<int:pk>/", views.rules_for_county, name="rules"),
    path("rules/<int:pk>/<str:key>/", views.rule_edit, name="rule_edit"),
    # Spreadsheet import pipeline (shared by every import kind).
    path("imports/<str:kind>/template.xlsx", views_imports.import_template, name="import_template"),
    path("imports/new/<int:pk>/<str:kind>/", views_imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views_imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/commit/", views_imports.import_commit, name="import_commit"),
    path("imports/<int:pk>/errors.xlsx", views_imports.import_errors_workbook, name="import_errors"),
]
