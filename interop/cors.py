"""CORS for browser SMART apps: /fhir/, /oauth/token and the SMART configuration.

Only origins of registered apps' redirect URIs are allowed (an app runs where it receives its
code), so a page on any other site cannot call the FHIR server from a user's browser. Credentials
(cookies) are never allowed cross-origin: browser apps send their bearer token.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse
from oauth2_provider.models import get_application_model

# /oauth/jwks too: a browser app that checks its id_token's signature fetches the configuration's jwks_uri.
PATHS = ("/fhir/", "/oauth/token", "/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration",
         "/oauth/jwks")
ALLOW_HEADERS = "Authorization, Content-Type, Accept, Prefer, If-Match, If-None-Match, If-Modified-Since"
EXPOSE_HEADERS = "ETag, Last-Modified, Location, Content-Location, X-Progress, Retry-After"


def allowed_origins() -> set[str]:
    origins = set()
    for uris in get_application_model().objects.values_list("redirect_uris", flat=True):
        for uri in uris.split():
            parts = urlsplit(uri)
            if parts.scheme and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins


class SmartCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = request.headers.get("Origin")
        if not origin or not request.path.startswith(PATHS) or origin not in allowed_origins():
            return self.get_response(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
            response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
            response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Origin"]))
        return response
