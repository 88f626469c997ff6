from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tuanwu.demo"
    label = "demo"
    verbose_name = "演示县"
