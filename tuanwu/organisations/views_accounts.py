from django.http import HttpResponse

from . import access
from .models import RoleGrant, Unit


@access.scoped(Unit, "pk", access.MANAGE_GRANTS)
def grant_list(request, unit):
    return HttpResponse("grants")


@access.scoped(Unit, "pk", access.MANAGE_GRANTS)
def account_create(request, unit):
    return HttpResponse("account")


@access.scoped(RoleGrant, "pk", access.MANAGE_GRANTS)
def grant_end(request, grant):
    return HttpResponse("end")


@access.scoped(RoleGrant, "pk", access.MANAGE_GRANTS)
def password_reset(request, grant):
    return HttpResponse("reset")
