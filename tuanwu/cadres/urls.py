from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:pk>/", views.staffing, name="staffing"),
    path("roster.xlsx", views.roster_export, name="roster_export"),
    path("units/<int:pk>/appoint/", views.appoint, name="appoint"),
    path("units/<int:pk>/quota/", views.quota_edit, name="quota"),
    path("units/<int:pk>/training/", views.training, name="training"),
    path("units/<int:pk>/training/new/", views.course_create, name="course_create"),
    path("posts/<int:pk>/terms/", views.terms_edit, name="terms"),
    path("cadres/<int:pk>/second/", views.second, name="second"),
    path("cadres/<int:pk>/appraisal/", views.appraisal, name="appraisal"),
    path("cadres/<int:pk>/appointment-form.docx", views.appointment_form, name="appointment_form"),
    path("secondments/<int:pk>/approve/", views.secondment_approve, name="secondment_approve"),
    path("secondments/<int:pk>/end/", views.secondment_end, name="secondment_end"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
]
