from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "tuanwu.membership"
    label = "membership"
    verbose_name = "团籍"

    def ready(self):
        # Membership life (issue 4): navigation, to-do providers and the unit-page panel.
        from . import life_app

        life_app.ready()
