from django.urls import path

from . import views

app_name = "elections"

urlpatterns = [
    path("", views.election_list, name="list"),
    path("meetings/new/", views.meeting_choose, name="meeting_choose"),
    path("units/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/attendees/", views.meeting_attendees, name="meeting_attendees"),
    path("meetings/<int:pk>/roll-call/", views.meeting_roll_call, name="meeting_roll_call"),
    path("meetings/<int:pk>/approval/", views.meeting_approval, name="meeting_approval"),
    path("meetings/<int:pk>/plenary/new/", views.plenary_create, name="plenary_create"),
    path("meetings/<int:pk>/elections/new/", views.election_create, name="election_create"),
    path("<int:pk>/", views.election_detail, name="election_detail"),
    path("<int:pk>/tellers/", views.teller_add, name="teller_add"),
    path("<int:pk>/start/", views.election_start, name="election_start"),
    path("<int:pk>/close/", views.election_close, name="election_close"),
    path("<int:pk>/reopen/", views.election_reopen, name="election_reopen"),
    path("<int:pk>/install/", views.election_install, name="election_install"),
    path("<int:pk>/ballot.pdf", views.ballot_pdf, name="ballot_pdf"),
    path("<int:pk>/result.pdf", views.result_pdf, name="result_pdf"),
    path("<int:pk>/result.docx", views.result_docx, name="result_docx"),
    path("rounds/<int:pk>/reconcile/", views.round_reconcile, name="round_reconcile"),
    path("rounds/<int:pk>/count/", views.round_count, name="round_count"),
    path("rounds/<int:pk>/discard/", views.round_discard, name="round_discard"),
    path("teller/", views.teller_login, name="teller_login"),
    path("teller/entry/", views.teller_entry, name="teller_entry"),
    path("teller/logout/", views.teller_logout, name="teller_logout"),
]
