"""Every URL pattern declares its access; an undeclared view is reported (the check can fail)."""

import sys
import types

from django.http import HttpResponse
from django.urls import path

from tuanwu.core.routecheck import undeclared_routes
from tuanwu.organisations import access


def test_every_route_declares_its_access():
    assert undeclared_routes() == []


def _undeclared_view(request):
    return HttpResponse("oops")


@access.public
def _declared_view(request):
    return HttpResponse("ok")


def test_an_undeclared_route_is_reported():
    module = types.ModuleType("tuanwu_test_undeclared_urls")
    module.urlpatterns = [path("declared/", _declared_view), path("forgotten/", _undeclared_view)]
    sys.modules[module.__name__] = module
    try:
        missing = undeclared_routes(module.__name__)
    finally:
        del sys.modules[module.__name__]
    assert missing == ["forgotten/ → tests.test_route_declarations._undeclared_view"]
