from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tuanwu.activities"
    label = "activities"
    verbose_name = "学习与活动"
