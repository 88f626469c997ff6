from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tuanwu.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        from tuanwu.core import nav

        nav.register(group="我的", label="修改密码", key="password", url_name="accounts:password_change", order=10)
        nav.register(group="我的", label="API 令牌", key="tokens", url_name="accounts:tokens", order=20)
        nav.register(group="我的", label="接口文档", key="api_docs", url="/api/v1/docs", order=30)
