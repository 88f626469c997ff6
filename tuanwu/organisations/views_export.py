from django.http import HttpResponse

from . import access
from .models import Unit


@access.scoped(Unit, None, access.EXPORT)
def unit_export(request):
    return HttpResponse("export")
