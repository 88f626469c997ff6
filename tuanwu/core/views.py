from django.http import HttpResponse

from tuanwu.core.models import AuditEvent
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit


@access.self_only
def home(request):
    return HttpResponse("home")


@access.public
def health(request):
    return HttpResponse("ok", content_type="text/plain")


@access.self_only
def todo_list(request):
    return HttpResponse("todos")


@access.scoped(AuditEvent, None, access.VIEW_AUDIT)
def audit_list(request):
    return HttpResponse("audit")


@access.scoped(AuditEvent, None, access.VIEW_AUDIT)
def audit_export(request):
    return HttpResponse("audit")


@access.self_only
def rules_home(request):
    return HttpResponse("rules")


@access.scoped(Unit, "pk", access.MANAGE_RULES)
def rules_for_county(request, unit):
    return HttpResponse("rules")


@access.scoped(Unit, "pk", access.MANAGE_RULES)
def rule_edit(request, unit, key):
    return HttpResponse("rules")


def permission_denied(request, exception=None):
    return HttpResponse("403", status=403)


def page_not_found(request, exception=None):
    return HttpResponse("404", status=404)
