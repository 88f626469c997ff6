"""URLs of membership life, appended to membership/urls.py (one include line there)."""

from django.urls import path

from . import views_life as v

urlpatterns = [
    path("life/", v.life_home, name="home"),
    path("life/pipeline/<int:pk>/", v.pipeline, name="pipeline"),
    path("life/apply/<int:pk>/", v.apply, name="apply"),
    path("life/development/<int:pk>/", v.development_detail, name="development"),
    path("life/development/<int:pk>/<slug:step>/", v.development_step, name="development_step"),
    path("life/member/<int:pk>/", v.membership_life, name="life"),
    path("life/reviews/<int:pk>/", v.reviews, name="reviews"),
    path("life/reviews/<int:pk>/new/", v.review_new, name="review_new"),
    path("life/reviews/<int:pk>/register/", v.register_branch, name="register_branch"),
    path("life/review/<int:pk>/", v.review_session, name="review_session"),
    path("life/review/<int:pk>/approve/", v.review_approve, name="review_approve"),
    path("life/grade/<int:pk>/reassess/", v.grade_reassess, name="grade_reassess"),
    path("life/member/<int:pk>/register/", v.registration_single, name="registration_single"),
    path("life/member/<int:pk>/defer/", v.registration_defer, name="registration_defer"),
    path("life/member/<int:pk>/party/", v.party_propose, name="party_propose"),
    path("life/party/<int:pk>/", v.party_detail, name="party"),
    path("life/party/<int:pk>/<slug:step>/", v.party_step, name="party_step"),
    path("life/party/<int:pk>/letter.<slug:fmt>", v.party_letter, name="party_letter"),
    path("life/dues/<int:pk>/", v.dues_list, name="dues"),
    path("life/member/<int:pk>/dues/", v.dues_account, name="dues_account"),
    path("life/member/<int:pk>/pay/", v.dues_pay, name="dues_pay"),
    path("life/transfers/<int:pk>/", v.transfer_list, name="transfers"),
    path("life/transfers/<int:pk>/in/", v.transfer_in, name="transfer_in"),
    path("life/member/<int:pk>/transfer/", v.transfer_out, name="transfer_out"),
    path("life/my/transfer/", v.my_transfer, name="my_transfer"),
    path("life/transfer/<int:pk>/", v.transfer_decide, name="transfer_decide"),
    path("life/member/<int:pk>/exit/", v.exit_open, name="exit_open"),
    path("life/exit/<int:pk>/", v.exit_case, name="exit_case"),
    path("life/pioneer/<int:pk>/recommend/", v.pioneer_recommend, name="pioneer_recommend"),
    path("life/pioneer/open/<int:pk>/", v.pioneer_open, name="pioneer_open"),
    path("life/funnel/<int:pk>/", v.funnel, name="funnel"),
]
