from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "tuanwu.volunteering"
    label = "volunteering"
    verbose_name = "西部计划"
