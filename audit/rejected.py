"""Keeping an edit that was refused because someone else saved first.

treatment.views.session_edit refuses a stale save (optimistic concurrency on Session.version).
Call `keep(request, session, request.POST)` there, before redirecting, so what the user typed is
stored and they are shown a link to it next to the other person's version.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from audit import resolve
from audit.models import RejectedEdit

NOT_KEPT = {"csrfmiddlewaretoken", "sign"}


def _plain(data) -> dict:
    if hasattr(data, "lists"):
        out = {}
        for key, values in data.lists():
            if key in NOT_KEPT:
                continue
            out[key] = values[0] if len(values) == 1 else list(values)
        return out
    return {key: value for key, value in dict(data).items() if key not in NOT_KEPT}


def keep(request, obj, data, *, notify: bool = True) -> RejectedEdit:
    """Store the refused submission for `obj` and tell the user where to find it."""
    plain = _plain(data)
    base = plain.get("version")
    current = type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).first() \
        if hasattr(obj, "version") else None
    edit = RejectedEdit.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
        patient_id=resolve.patient_of_instance(obj), user=request.user, data=plain,
        base_version=int(base) if str(base or "").isdigit() else None, current_version=current,
    )
    if notify:
        messages.warning(request, format_html(
            '{} <a href="{}">{}</a>',
            _("Your version was kept, so nothing you typed is lost."),
            reverse("audit:rejected", args=[edit.pk]),
            _("See what you typed"),
        ))
    return edit
