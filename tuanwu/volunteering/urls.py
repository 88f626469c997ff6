from django.urls import path

from . import views

app_name = "volunteering"

urlpatterns = [
    path("", views.cohort_list, name="cohort_list"),
    path("me/", views.my_service, name="my_service"),
    path("retention/", views.retention, name="retention"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/export/", views.cohort_export, name="cohort_export"),
    path("cohorts/<int:pk>/placement/", views.cohort_placement, name="cohort_placement"),
    path("cohorts/<int:pk>/placement/apply/", views.cohort_placement_apply, name="cohort_placement_apply"),
    path("cohorts/<int:pk>/safety/", views.cohort_safety_report, name="cohort_safety_report"),
    path("<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("<int:pk>/override/", views.volunteer_override, name="volunteer_override"),
    path("<int:pk>/assessments/new/", views.volunteer_assessment, name="volunteer_assessment"),
    path("<int:pk>/mentoring/new/", views.volunteer_mentoring, name="volunteer_mentoring"),
    path("<int:pk>/recommend/", views.volunteer_recommend, name="volunteer_recommend"),
    path("<int:pk>/appraisal.docx", views.volunteer_appraisal_docx, name="volunteer_appraisal_docx"),
    path("<int:pk>/appraisal.pdf", views.volunteer_appraisal_pdf, name="volunteer_appraisal_pdf"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/cadre/", views.recommendation_issue_cadre, name="recommendation_issue_cadre"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/outcome/", views.recommendation_outcome, name="recommendation_outcome"),
    path("recommendations/<int:pk>/document.docx", views.recommendation_docx, name="recommendation_docx"),
    path("recommendations/<int:pk>/document.pdf", views.recommendation_pdf, name="recommendation_pdf"),
]
