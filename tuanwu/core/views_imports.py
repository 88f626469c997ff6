from django.http import HttpResponse

from tuanwu.core.models import ImportJob
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit


@access.self_only
def import_template(request, kind):
    return HttpResponse("todo")


@access.scoped(Unit, "pk", access.IMPORT)
def import_upload(request, unit, kind):
    return HttpResponse("todo")


@access.scoped(ImportJob, "pk", access.IMPORT)
def import_detail(request, job):
    return HttpResponse("todo")


@access.scoped(ImportJob, "pk", access.IMPORT)
def import_progress(request, job):
    return HttpResponse("todo")


@access.scoped(ImportJob, "pk", access.IMPORT)
def import_commit(request, job):
    return HttpResponse("todo")


@access.scoped(ImportJob, "pk", access.IMPORT)
def import_errors_workbook(request, job):
    return HttpResponse("todo")
