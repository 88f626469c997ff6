from django.conf import settings

from .context import reset_origin, set_origin

# htmx and ECharts are vendored; no inline scripts. Inline styles are allowed for ECharts' canvases.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            # The API docs page (ninja's bundled Swagger UI) needs nothing more than this either.
            response["Content-Security-Policy"] = CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def client_ip(request) -> str | None:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Tell the audit trail where writes come from (web or api, and the client IP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_origin("api" if request.path.startswith("/api/") else "web", client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)
