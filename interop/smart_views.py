"""SMART on FHIR endpoints: `/.well-known/smart-configuration` and the authorisation page.

The token and revocation endpoints are django-oauth-toolkit's own views (urls.py); introspection is DOT's
with SMART's `patient` and `fhirUser` added, by POST only.
The authorisation page is DOT's AuthorizationView with SMART's additions: the `aud` must be this
server's FHIR base, a standalone `launch/patient` asks staff to pick the patient (search by name,
MRN or birth date; a patient's own login skips it), and the chosen patient is kept with the code
(LaunchContext). Staff reach this page only after their second factor (accounts middleware).
"""
from __future__ import annotations

from datetime import date
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from django.urls import reverse
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model
from oauth2_provider.views import AuthorizationView, IntrospectTokenView

from accounts import roles
from accounts.decorators import staff_required
from audit import events
from interop import backend, smart
from interop.access import PATIENT_ROLE
from interop.auth import fhir_user
from interop.fhir_server import base_url
from interop.models import LaunchContext
from patients.models import Patient
from tpclinic.limits import parse_id

CAPABILITIES = ["launch-ehr", "context-ehr-patient", "launch-standalone", "client-public", "client-confidential-symmetric", "context-standalone-patient",
                "context-banner", "permission-patient", "permission-user", "permission-offline", "permission-v1",
                "permission-v2", "sso-openid-connect", "client-confidential-asymmetric"]


class SmartIntrospectView(IntrospectTokenView):
    """RFC 7662 token introspection for a resource server, which authenticates as a confidential client
    (HTTP Basic with its client_id and secret). SMART App Launch 2.x asks the answer to carry the token's
    `patient` and `fhirUser` beside `active`, `scope`, `client_id` and `exp`. POST only: RFC 7662 sends the
    token in the body, and a token never travels in a URL (RFC 9700, as the FHIR server enforces)."""

    def get(self, request, *args, **kwargs):
        return JsonResponse({"error": "invalid_request", "error_description": "POST the token in the body."},
                            status=405, headers={"Allow": "POST"})

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        raw = request.POST.get("token")
        if response.status_code != 200 or not raw:
            return response
        answer = json.loads(response.content)
        if not answer.get("active"):
            return response
        claims = smart.introspection_claims(raw, request)
        return JsonResponse({**answer, **claims} if claims is not None else {"active": False})


def smart_configuration(request):
    absolute = request.build_absolute_uri
    return JsonResponse({
        "issuer": smart.issuer(request),
        "jwks_uri": absolute(reverse("interop:smart-jwks")),
        "authorization_endpoint": absolute(reverse("interop:smart-authorize")),
        "token_endpoint": absolute(reverse("interop:smart-token")),
        "introspection_endpoint": absolute(reverse("interop:smart-introspect")),
        "revocation_endpoint": absolute(reverse("interop:smart-revoke")),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none",
                                                  "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": backend.ALGORITHMS,
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": sorted(smart.PLAIN_SCOPES - {"profile"}) + [
            "patient/*.read", "patient/*.rs", "user/*.read", "user/*.rs", "user/*.cruds", "system/*.read", "system/*.rs"],
        "capabilities": CAPABILITIES,
    })


def find_patients(text: str):
    """The staff picker: a name (either part), an MRN, or a birth date (YYYY-MM-DD)."""
    text = text.strip()
    if not text:
        return Patient.objects.none()
    wanted = Q(mrn__iexact=text) | Q(family_name__icontains=text) | Q(given_name__icontains=text)
    try:
        wanted |= Q(birth_date=date.fromisoformat(text))
    except ValueError:
        pass
    return Patient.objects.filter(wanted).order_by("family_name", "given_name")[:20]


def launchable_apps():
    """Apps a clinician can open from the chart (EHR launch): registered apps with a redirect URI, not backend services."""
    Application = get_application_model()
    return (Application.objects.filter(authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                                       backend_client__isnull=True).exclude(redirect_uris="").order_by("name"))


def start_launch(request, application, patient) -> str:
    """A new EHR launch context for this app and patient; the URL that opens the app with it (its redirect
    URI's origin plus `?iss=<FHIR base>&launch=<value>`). Recorded in the audit trail: the app may now
    ask for this patient's record."""
    launch = secrets.token_urlsafe(24)
    context = LaunchContext.objects.create(key=smart.key(f"launch:{launch}"), patient=patient)
    events.record(events.Action.CREATE, obj=context, patient=patient, request=request,
                  after={"app": application.name, "client_id": application.client_id}, detail="SMART EHR launch")
    app = urlsplit(application.redirect_uris.split()[0])
    query = urlencode({"iss": base_url(request), "launch": launch})
    return f"{app.scheme}://{app.netloc}/?{query}"


def _chosen(request):
    application = launchable_apps().filter(client_id=request.POST.get("client_id", "")).first()
    chosen = request.POST.get("patient", "")
    patient = Patient.objects.filter(pk=parse_id(chosen)).first() if parse_id(chosen) else None
    return application, patient


@csrf_exempt
def ehr_launch(request):
    """`POST /oauth/launch` (client_id, patient): an EHR launch context for that app and patient; answers the
    `launch` value and `launch_url`. Staff only: a web session (with its CSRF token) or an API token."""
    user, via_token = fhir_user(request)
    if request.method != "POST":
        return JsonResponse({"error": "Use POST."}, status=405)
    if user is None or not roles.is_staff_member(user):
        return JsonResponse({"error": "Only clinic staff launch apps from the chart."}, status=403)
    if not via_token and CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:
        return JsonResponse({"error": "The CSRF check failed."}, status=403)
    application, patient = _chosen(request)
    if application is None or patient is None:
        return JsonResponse({"error": "Send client_id of a registered app and patient (its id)."}, status=400)
    launch_url = start_launch(request, application, patient)
    return JsonResponse({"launch": parse_qs(urlsplit(launch_url).query)["launch"][0], "launch_url": launch_url},
                        status=201)


@require_POST
@staff_required()
def open_app(request):
    """The chart's "Launch app" button: start an EHR launch and open the app. The page links to the app (and
    a script follows the link at once): a link may leave the site where the chart's CSP `form-action 'self'`
    would stop a redirect after the form."""
    application, patient = _chosen(request)
    if application is None or patient is None:
        return render(request, "interop/launch_app.html", {"error": _("Choose a registered app and a patient.")},
                      status=400)
    return render(request, "interop/launch_app.html", {
        "application": application, "patient": patient, "launch_url": start_launch(request, application, patient)})


class SmartAuthorizeView(AuthorizationView):
    template_name = "interop/smart_authorize.html"

    def get(self, request, *args, **kwargs):
        aud = request.GET.get("aud", "")
        if aud and aud.rstrip("/") != base_url(request):
            return self.render_to_response({"error": {
                "error": "invalid_request",
                "description": _("This app asked for another server (%(aud)s); this server is %(base)s.") % {
                    "aud": aud, "base": base_url(request)}}}, status=400)
        response = super().get(request, *args, **kwargs)
        return self._let_form_reach_the_app(response, request.GET.get("redirect_uri", ""),
                                            request.GET.get("client_id", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scopes = (self.request.GET.get("scope") or self.request.POST.get("scope") or "").split()
        context["launch"] = self.request.GET.get("launch", "")
        context["launched"] = self._launched()
        context["needs_patient"] = ("launch/patient" in scopes and roles.role_of(self.request.user) != PATIENT_ROLE
                                    and context["launched"] is None)
        context["query"] = self.request.GET.get("patient_search", "")
        context["found"] = find_patients(context["query"]) if context["needs_patient"] else []
        context["keep"] = [(k, v) for k in self.request.GET if k != "patient_search" for v in self.request.GET.getlist(k)]
        return context

    def form_valid(self, form):
        scopes = form.cleaned_data.get("scope", "").split()
        patient = None
        allow = form.cleaned_data.get("allow")
        launched = self._launched()
        if allow and launched is not None:
            patient = launched.patient
        elif allow and ("launch/patient" in scopes or any(s.startswith("patient/") for s in scopes)):
            patient = self._patient()
            if patient is None:
                form.add_error(None, _("Choose the patient this app will open with."))
                return self.form_invalid(form)
        response = super().form_valid(form)
        code = parse_qs(urlsplit(response.get("Location", "") or getattr(response, "url", "")).query).get("code")
        if allow and code:
            LaunchContext.objects.create(key=smart.key(code[0]), patient=patient)
        return self._let_form_reach_the_app(response, form.cleaned_data.get("redirect_uri", ""),
                                            form.cleaned_data.get("client_id", ""))

    def _launched(self):
        """The EHR launch context named by the `launch` parameter, if any."""
        value = self.request.POST.get("launch") or self.request.GET.get("launch")
        return LaunchContext.objects.filter(key=smart.key(f"launch:{value}")).first() if value else None

    def _patient(self):
        user = self.request.user
        if roles.role_of(user) == PATIENT_ROLE:
            return getattr(user, "patient_record", None)
        chosen = self.request.POST.get("patient", "")
        return Patient.objects.filter(pk=parse_id(chosen)).first() if parse_id(chosen) else None

    @staticmethod
    def _let_form_reach_the_app(response, redirect_uri: str, client_id: str):
        """CSP `form-action 'self'` would stop Chromium following the redirect to the app after "Allow":
        this page's policy also allows the origin of the app's registered redirect URI (only a registered one)."""
        application = get_application_model().objects.filter(client_id=client_id).first()
        if application is not None and redirect_uri and application.redirect_uri_allowed(redirect_uri):
            parts = urlsplit(redirect_uri)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response
