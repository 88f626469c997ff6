from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from tuanwu.organisations import access

from .models import ApiToken


class TokenAuth(HttpBearer):
    """Personal API tokens (Authorization: Bearer tw_…); also accepts a logged-in session."""

    def __call__(self, request):
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            return request.user
        return super().__call__(request)

    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(
            digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True
        ).first()
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


router = Router(tags=["账号"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str


@router.get("/me", response=MeOut, summary="当前用户")
@access.api_self_only
def me(request):
    return request.user
