from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "tuanwu.membership"
    label = "membership"
    verbose_name = "团籍"
