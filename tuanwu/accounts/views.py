from django.http import HttpResponse

from tuanwu.organisations import access


@access.public
def login_view(request):
    return HttpResponse("login")


@access.self_only
def logout_view(request):
    return HttpResponse("logout")


@access.self_only
def password_change(request):
    return HttpResponse("pw")


@access.self_only
def token_list(request):
    return HttpResponse("tokens")


@access.self_only
def token_revoke(request, pk):
    return HttpResponse("revoke")
