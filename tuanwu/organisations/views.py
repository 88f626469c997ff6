from django.http import HttpResponse

from . import access
from .models import Unit


@access.scoped(Unit, None, access.VIEW)
def tree(request):
    return HttpResponse("tree")


@access.scoped(Unit, "pk", access.VIEW)
def unit_detail(request, unit):
    return HttpResponse(unit.name)


@access.scoped(Unit, "pk", access.VIEW)
def unit_children(request, unit):
    return HttpResponse("children")


@access.scoped(Unit, "pk", access.CHANGE)
def unit_edit(request, unit):
    return HttpResponse("edit")


@access.scoped(Unit, "pk", access.MANAGE_UNITS)
def unit_create(request, unit):
    return HttpResponse("create")


@access.scoped(Unit, "pk", access.MANAGE_UNITS)
def unit_move(request, unit):
    return HttpResponse("move")


@access.scoped(Unit, "pk", access.MANAGE_UNITS)
def unit_close(request, unit):
    return HttpResponse("close")


@access.scoped(Unit, "pk", access.CHANGE)
def term_create(request, unit):
    return HttpResponse("term")
