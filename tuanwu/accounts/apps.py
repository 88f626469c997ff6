from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tuanwu.accounts"
    label = "accounts"
    verbose_name = "账号"
