from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/<int:pk>/", views.activity_create, name="create"),
    path("push/<int:pk>/", views.activity_push, name="push"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/attendance/", views.attendance_mark, name="attendance"),
    path("<int:pk>/guests/", views.guests_add, name="guests"),
    path("<int:pk>/summary/", views.summary_edit, name="summary"),
    path("<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/qr/", views.checkin_qr, name="qr"),
    path("<int:pk>/qr/renew/", views.checkin_renew, name="qr_renew"),
    path("<int:pk>/qr/count/", views.checkin_count, name="qr_count"),
    path("checkin/<str:token>/", views.checkin_page, name="checkin"),
    path("stats/", views.stats_home, name="stats_home"),
    path("stats/<int:pk>/", views.stats, name="stats"),
    path("stats/<int:pk>/export/", views.stats_export, name="stats_export"),
    path("study/", views.study_home, name="study_home"),
    path("study/<int:pk>/", views.study, name="study"),
    path("study/<int:pk>/export/", views.study_export, name="study_export"),
    path("study/<int:pk>/manage/", views.study_manage, name="study_manage"),
    path("themes/", views.themes_home, name="themes_home"),
    path("themes/<int:pk>/", views.themes, name="themes"),
    path("compliance/", views.compliance_home, name="compliance_home"),
    path("compliance/<int:pk>/", views.compliance, name="compliance"),
]
