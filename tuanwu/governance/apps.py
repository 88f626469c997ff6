from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """The reform plan, League funds, assessment rounds (对标定级, 党建带团建) and findings."""

    name = "tuanwu.governance"
    label = "governance"
    verbose_name = "改革与考核"

    def ready(self):
        pass
