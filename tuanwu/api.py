"""The JSON API at /api/v1/: one NinjaAPI, routers contributed by the apps.

Authentication is a personal API token (``Authorization: Bearer tw_…``) or the logged-in
session (then unsafe methods need the CSRF token). Errors are JSON ``{"detail": "…"}`` in
Chinese: 401 not signed in, 403 visible but not permitted, 404 outside the caller's scope (or
absent), 422 invalid input or a refused change (with ``field``).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from tuanwu.accounts.api import SessionAuth, TokenAuth
from tuanwu.accounts.api import router as accounts_router
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.api import router as organisations_router

api = NinjaAPI(
    title="团务 API",
    version="1",
    description=(
        "县域共青团基层组织改革工作平台的接口。\n\n"
        "认证：个人 API 令牌 `Authorization: Bearer <令牌>`（在“账号 → API 令牌”中创建），"
        "或已登录的浏览器会话（此时写操作须带 CSRF 令牌）。\n\n"
        "错误以 JSON 返回：`{\"detail\": \"中文说明\"}`。401 未登录或令牌无效；403 可以查看但无权操作；"
        "404 不存在或不在您的管辖范围内；422 数据不符合要求或操作被业务规则拒绝（附 `field`）。"
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    # ninja is in INSTALLED_APPS, so Swagger UI is served from its bundled static files (no CDN).
    docs=Swagger(settings={"persistAuthorization": True, "defaultModelsExpandDepth": 0}),
    docs_url="/docs",
    # The schema and the docs page describe the API to anyone; the operations themselves are guarded.
    docs_decorator=access.api_public,
)
api.add_router("/accounts", accounts_router)
api.add_router("", organisations_router)


def _add_domain_routers() -> None:
    """Domain apps contribute ``router`` (and optionally ``API_PREFIX``) in their ``api.py``;
    they are mounted in INSTALLED_APPS order, so no app edits this file to join the API."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("tuanwu.") or config.label in ("accounts", "organisations"):
            continue
        module_name = f"{config.name}.api"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "API_PREFIX", ""), router)


_add_domain_routers()


# ---------------------------------------------------------------------------------------------
# Errors

# Actions name model fields; the API names them as its payloads do.
FIELD_NAMES = {"led_by": "led_by_id", "new_parent": "new_parent_id"}

VALIDATION_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "enum": "不是允许的取值",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
}

_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "payload"}


def _field_of(error: dict) -> str | None:
    names = [str(part) for part in error.get("loc", ()) if str(part) not in _LOCATIONS]
    return names[-1] if names else None


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    parts = []
    for error in exc.errors:
        message = VALIDATION_MESSAGES.get(error.get("type"), error.get("msg", "不符合要求"))
        field = _field_of(error)
        parts.append(f"{field}：{message}" if field else message)
    first = _field_of(exc.errors[0]) if exc.errors else None
    body = {"detail": "提交的数据不符合要求：" + "；".join(parts), "field": first, "errors": exc.errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(
        request, {"detail": exc.message, "field": FIELD_NAMES.get(exc.field, exc.field)}, status=422
    )


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    # One message for "absent" and "outside your scope": the difference must not leak.
    return api.create_response(request, {"detail": "未找到，或您无权查看"}, status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "您无权进行此操作"}, status=403)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        response = api.create_response(request, {"detail": "未登录，或 API 令牌无效、已撤销"}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    if exc.status_code == 400:
        return api.create_response(request, {"detail": "请求内容无法解析，应为 JSON"}, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# ---------------------------------------------------------------------------------------------
# Declarations


def iter_operations(ninja_api: NinjaAPI):
    """Yield (method, path, operation) for every operation mounted on ``ninja_api``."""
    for bound in ninja_api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = "/" + "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, full, operation


def undeclared_operations(ninja_api: NinjaAPI) -> list[str]:
    """"METHOD /path" of every operation that declares none of access.api_public /
    api_self_only / api_scoped (an undeclared operation must fail the tests)."""
    return sorted(
        f"{method} {path}" for method, path, operation in iter_operations(ninja_api)
        if access.declaration_of(operation.view_func) is None
    )
