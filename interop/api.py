"""The JSON API at /api/v1/: one NinjaAPI, bearer-token auth, problem+json for every error.

Why the subclass: ninja renders every declared response as application/json and answers 404/405
from Django in HTML or plain text; clients of this API get RFC 9457 problem details for all
errors, and the OpenAPI document says so (error responses are published as
application/problem+json), so the document and the behaviour match.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from interop.auth import BearerToken, refusal_detail
from interop.endpoints import charting, diary, patients, referral, screening, specialists, treatment
from interop.problems import CONTENT_TYPE, Problem, forbidden, invalid, stale, unauthorized
from interop.text import LANGUAGE
from tpclinic.versioning import StaleVersion

logger = logging.getLogger(__name__)


class TpclinicAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        response["content"] = {CONTENT_TYPE: content.pop("application/json")}
        return schema

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = problems_for_plain_errors(pattern.callback)
        return patterns


def problems_for_plain_errors(view):
    """Turn ninja's plain-text 405, and the 404 of the API root, into problem+json; answer in English.

    The API's words (muscle and region labels, choice labels, messages) do not follow the request's
    language: a client gets the same answer whatever its Accept-Language or language cookie says.
    """

    def wrapped(request, *args, **kwargs):
        with translation.override(LANGUAGE):
            response = answer(request, *args, **kwargs)
        response["Content-Language"] = LANGUAGE
        return response

    def answer(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return Problem(404, "The API's endpoints are listed in /api/v1/openapi.json.", kind="not-found").response()
        if response.status_code == 405 and response.get("Content-Type", "").split(";")[0] != CONTENT_TYPE:
            allowed = response.get("Allow", "")
            problem = Problem(405, f"{request.method} is not supported here. Use: {allowed}.", kind="method-not-allowed",
                              headers={"Allow": allowed})
            return problem.response()
        return response

    for attribute in ("csrf_exempt", "__name__", "__doc__"):
        if hasattr(view, attribute):
            setattr(wrapped, attribute, getattr(view, attribute))
    return wrapped


api = TpclinicAPI(
    title="tpclinic API",
    version="1",
    description="Patients, trigger points, pain drawings and diaries, courses, sessions, the safety screen, "
                "adverse events and the specialists directory of a trigger point injection clinic. "
                "Authenticate with `Authorization: Bearer <token>` (`tpclinic api_token USERNAME`); the "
                "specialists directory is public, as on the web. Errors are RFC 9457 problem details. "
                "Answers are in English whatever the request's language; codes never change.",
    auth=BearerToken(),
    urls_namespace="interop:api",
    docs_url=None,  # ninja's Swagger page loads from a CDN unless "ninja" is an installed app, and our CSP blocks it
)


def _field(location: tuple) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "query"}:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        message = error.get("msg", "invalid value")
        if error.get("type") == "missing" and not _field(error.get("loc", ())):
            message = "Send a JSON object as the request body."
        errors.append({"field": _field(error.get("loc", ())), "message": message.removeprefix("Value error, ")})
    return invalid(errors).response()


@api.exception_handler(Problem)
def on_problem(request, exc: Problem):
    return exc.response()


@api.exception_handler(StaleVersion)
def on_stale_version(request, exc: StaleVersion):
    return stale(exc).response()


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return unauthorized(refusal_detail(request)).response()


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400:
        return Problem(400, "The request body is not valid JSON. Send a JSON object with "
                       "'Content-Type: application/json'.", kind="bad-json").response()
    return Problem(exc.status_code, str(exc)).response()


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return Problem(404, "Nothing here: check the path and the id.", kind="not-found").response()


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return forbidden("Your role cannot do this.").response()


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
    return Problem(413, f"The request body is larger than {limit:.1f} MB; nothing was saved. Send less at once "
                   "(e.g. fewer list items per request).", kind="too-large").response()


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    return Problem(500, "Something went wrong on our side; nothing you sent was saved. Tell your administrator "
                   "the time of the request.", kind="internal-error").response()


# The set of routers is fixed; a broken import fails loudly at start-up instead of silently dropping routes.
for routes in (patients, charting, treatment, referral, screening, diary, specialists):
    api.add_router("", routes.router)
