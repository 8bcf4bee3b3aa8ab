"""The second login step for staff (TOTP code or enrolment) and the idle log-off endpoints."""
from __future__ import annotations

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token

from accounts import mfa, roles
from accounts.decorators import staff_required
from accounts.lockout import login_completed, lockout_response
from accounts.models import StaffProfile
from accounts.signals import (LOGIN, MFA_FAILED, PASSWORD_CHANGED, PASSWORD_RESET, RESET_REQUESTED,
                              announce)


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Authentication code"), max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True}),
        help_text=gettext_lazy("The 6-digit code your authenticator app shows now."),
    )

    def clean_otp_token(self):
        value = self.cleaned_data["otp_token"].replace(" ", "")
        if not (value.isascii() and value.isdecimal()) or len(value) != 6:
            raise forms.ValidationError(_("Enter the 6 digits your app shows."))
        return value


def _next(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return reverse("home")


def _needs_login(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
    if not mfa.required_for(request.user):
        return redirect(_next(request))
    return None


def _locked(request) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": request.user.get_username()})


def _lock_out(request):
    credentials = {"username": request.user.get_username()}
    logout(request)
    return lockout_response(request, None, credentials)




def _failed(request, detail: str) -> None:
    """A wrong code counts like a wrong password towards the lockout, and is audited as what it is."""
    AxesProxyHandler.user_login_failed(__name__, {"username": request.user.get_username()}, request)
    announce(MFA_FAILED, request=request, user=request.user, detail=detail)


def _throttled_seconds(devices) -> int:
    """Seconds to wait before another code is checked (django-otp doubles the wait per wrong code)."""
    from django.utils import timezone

    waits = []
    for device in devices:
        allowed, why = device.verify_is_allowed()
        if not allowed and why and why.get("locked_until"):
            waits.append(max(1, int((why["locked_until"] - timezone.now()).total_seconds() + 0.999)))
    return min(waits) if waits and len(waits) == len(devices) else 0


def verify(request):
    """Second step: the code from the staff member's authenticator app."""
    early = _needs_login(request)
    if early:
        return early
    if mfa.is_verified(request):
        return redirect(_next(request))
    devices = list(mfa.confirmed_devices(request.user))
    if not devices:
        return redirect(f"{reverse('accounts:mfa_enrol')}?{urlencode({'next': _next(request)})}")
    if _locked(request):
        return _lock_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        wait = _throttled_seconds(devices)
        if wait:
            form.is_valid()
            form.add_error(None, ngettext(
                "Too many wrong codes in a row: wait %(n)s second, then enter the code your app shows at that time.",
                "Too many wrong codes in a row: wait %(n)s seconds, then enter the code your app shows at that time.",
                wait) % {"n": wait})
        elif form.is_valid():
            for device in devices:
                if verify_token(request.user, device.persistent_id, form.cleaned_data["otp_token"]):
                    otp_login(request, device)
                    login_completed(request, request.user)
                    announce(LOGIN, request=request, detail="second factor")
                    return redirect(_next(request))
            form.add_error("otp_token", _("That code did not match. Codes change every 30 seconds: enter the one "
                                          "your app shows now."))
        if not wait:
            _failed(request, "second factor")
            if _locked(request):
                return _lock_out(request)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next(request)},
                  status=200 if request.method == "GET" else 400 if form.errors else 200)


def enrol(request):
    """First login of a member of staff (or replacing a phone once verified): scan, then confirm."""
    early = _needs_login(request)
    if early:
        return early
    verified = mfa.is_verified(request)
    if mfa.has_device(request.user) and not verified:
        return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': _next(request)})}")
    if _locked(request):
        return _lock_out(request)
    device = mfa.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and device.verify_token(form.cleaned_data["otp_token"]):
            replaced = list(mfa.confirmed_devices(request.user).values_list("pk", flat=True))
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            type(device).objects.filter(user=request.user, pk__in=replaced).delete()
            type(device).objects.filter(user=request.user, confirmed=False).exclude(pk=device.pk).delete()
            otp_login(request, device)
            login_completed(request, request.user)
            announce(LOGIN, request=request, detail="second factor enrolled")
            messages.success(request, _("Your authenticator app is set up. You will enter its code each time you log in."))
            return redirect(_next(request))
        if form.is_valid():
            form.add_error("otp_token", _("That code did not match. Check the app shows tpclinic, then enter the code "
                                          "it shows now."))
        _failed(request, "second factor enrolment")
        if _locked(request):
            return _lock_out(request)
    return render(request, "accounts/mfa_enrol.html", {
        "form": form, "next": _next(request), "qr": mfa.qr_svg(device), "key": mfa.manual_key(device),
        "replacing": verified,
    }, status=200 if request.method == "GET" or not form.errors else 400)


@require_POST
def idle_logout(request):
    """Called by idle.js when the idle time has passed (the session may have ended already on the
    server): log out, then show the login page saying why."""
    logout(request)
    query = {"idle": "1", "next": _next(request)}
    return redirect(f"{reverse('login')}?{urlencode(query)}")


@require_POST
def keepalive(request):
    """Activity in the page (typing a long note) keeps the session: 204, or 401 once it has ended."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session.modified = True
    return HttpResponse(status=204)


# --- password change and reset: Django's own views, audited --------------------------------------



class PasswordChange(auth_views.PasswordChangeView):
    """A logged-in user (staff: after their code) changes their password; their other sessions end."""

    template_name = "registration/change_password.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        announce(PASSWORD_CHANGED, request=self.request, user=form.user)
        return response


class PasswordChangeDone(auth_views.PasswordChangeDoneView):
    template_name = "registration/change_password_done.html"


class PasswordReset(auth_views.PasswordResetView):
    """A link by e-mail (Django's e-mail backend) to set a new password. The page says the same
    whether or not the address is known, so it reveals no one's account. Staff still enter their
    code at the next login: a reset changes the password, never the second factor."""

    template_name = "registration/reset_password.html"
    email_template_name = "registration/reset_password_email.txt"
    subject_template_name = "registration/reset_password_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        users = list(form.get_users(form.cleaned_data["email"]))
        for user in users:
            announce(RESET_REQUESTED, request=self.request, user=user, detail="link sent by e-mail")
        if not users:
            announce(RESET_REQUESTED, request=self.request, detail="no active account has that address")
        return super().form_valid(form)


class PasswordResetSent(auth_views.PasswordResetDoneView):
    template_name = "registration/reset_password_sent.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "registration/reset_password_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        announce(PASSWORD_RESET, request=self.request, user=form.user, detail="new password set from the link")
        return response


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "registration/reset_password_complete.html"


class DefaultsForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["default_agent", "default_needle"]


@staff_required(roles.can_chart)
def my_defaults(request):
    """A clinician's own default injectate and needle, the starting values of new injection rows."""
    profile = request.user.staff_profile if hasattr(request.user, "staff_profile") else None
    if profile is None:  # a superuser without a staff profile has no rows to prefill
        messages.error(request, _("Your login has no staff profile; ask an administrator to add one."))
        return redirect("home")
    form = DefaultsForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your defaults are saved. New injection rows start with them."))
            return redirect("accounts:my_defaults")
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "accounts/my_defaults.html", {"form": form})
