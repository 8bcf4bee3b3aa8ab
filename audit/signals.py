"""Audit receivers: a backstop for changes to clinical records, and logins, failed logins and logouts.

Workflows record their own explicit events (audit/events.py: sign, consent, amend, import,
export, admin changes). These receivers only make sure that any other save or delete of a
clinical record made through a model still leaves an event with its before and after values;
a workflow that records the whole operation itself wraps it in `events.quiet()`. Bulk
`QuerySet.update()` sends no signals: code that uses it must record its own event.
"""
from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from audit import context, events, record
from audit.models import Action
from audit.resolve import PATIENT_PATH, model_for
from accounts.signals import security_event

# The clinical records whose every change is audited (those of apps that are installed).
TRACKED = [label for label in PATIENT_PATH if not label.startswith("audit.")]


def _tracked(sender) -> bool:
    return sender._meta.label_lower in TRACKED and not context.is_quiet()


@receiver(pre_save, dispatch_uid="audit.pre_save")
def remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _tracked(sender):
        return
    instance._audit_before = events.snapshot(instance) if instance.pk is not None else {}


@receiver(post_save, dispatch_uid="audit.post_save")
def audit_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _tracked(sender):
        return
    before = getattr(instance, "_audit_before", None) or {}
    after = events.snapshot(instance, update_fields, stored=False) if update_fields else \
        events.snapshot(instance, stored=False)
    if update_fields:
        before = {key: value for key, value in before.items() if key in after}
    created = created or not before
    if not created and events.diff(before, after) == ({}, {}):
        return  # saved unchanged: nothing to record
    events.record(Action.CREATE if created else Action.UPDATE, obj=instance, before=None if created else before,
                  after=after)
    instance._audit_before = events.snapshot(instance, stored=False)


@receiver(post_delete, dispatch_uid="audit.post_delete")
def audit_delete(sender, instance, **kwargs):
    if not _tracked(sender):
        return
    path = PATIENT_PATH[sender._meta.label_lower]
    # The row is gone: only a direct patient_id (or the patient itself) can still be read.
    patient_id = instance.pk if path == "pk" else getattr(instance, path, None) if "__" not in path else None
    if patient_id is None and "__" in path:
        patient_id = _patient_through_parent(instance)
    events.record(Action.DELETE, obj=instance, patient=patient_id, before=events.snapshot(instance, stored=False),
                  after=None)


def _patient_through_parent(instance):
    for field in ("session", "course"):
        parent_id = getattr(instance, f"{field}_id", None)
        if parent_id is not None:
            label = {"session": "treatment.session", "course": "treatment.course"}[field]
            if model_for(label) is not None:
                from audit.resolve import patient_of

                return patient_of(label, parent_id)
    return None


@receiver(user_logged_in, dispatch_uid="audit.login")
def audit_login(sender, request, user, **kwargs):
    record.write(Action.LOGIN, request=request, user=user, detail="password")


@receiver(user_logged_out, dispatch_uid="audit.logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record.write(Action.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    """A wrong password or code; an unknown username is kept too (it shows guessing)."""
    from django.contrib.auth import get_user_model

    username = str((credentials or {}).get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    record.write(Action.LOGIN_FAILED, request=request, user=user, username=username,
                 detail=str((credentials or {}).get("audit_detail", "password")))


@receiver(security_event, dispatch_uid="audit.security_event")
def audit_security_event(sender, action, request, signal=None, **facts):
    """Second-factor logins and failures, password changes and resets, sent by accounts."""
    record.write(action, request=request, **facts)
