"""The JSON API at /api/v1/: one NinjaAPI, routers contributed by the apps."""

from ninja import NinjaAPI

from tuanwu.accounts.api import TokenAuth, router as accounts_router
from tuanwu.organisations.api import router as organisations_router

api = NinjaAPI(
    title="团务 API",
    version="1",
    description="县域共青团基层组织改革工作平台的接口。使用个人 API 令牌：`Authorization: Bearer <令牌>`。",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/accounts", accounts_router)
api.add_router("/units", organisations_router)
