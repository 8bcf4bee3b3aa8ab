from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.i18n import set_language as django_set_language

from accounts import roles
from tpclinic.signals import keep_record_language


@login_required
def home(request):
    """Staff land on their worklist; patients on their own portal."""
    if roles.role_of(request.user) == "patient":
        return redirect("portal:home")
    return redirect("treatment:worklist")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def set_language(request):
    """Django's set_language, plus: a signed-in patient's or staff member's choice is stored on
    their record, so it wins at their next login (and a patient's handouts and consent follow it)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        keep_record_language(request.user, language)
    response.set_cookie("language_chosen", "1", max_age=365 * 24 * 3600, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    return response


def dismiss_language(request):
    """Closing the dialog without choosing: do not ask again on this browser."""
    from django.http import HttpResponse

    response = HttpResponse(status=204)
    response.set_cookie("language_chosen", "1", max_age=365 * 24 * 3600, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    return response
