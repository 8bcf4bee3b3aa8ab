"""Audit events for every change made in the Django admin site, with before and after.

Every ModelAdmin on the admin site gets AuditedAdmin's hooks (audit_every_admin, run at start-up;
a test checks it). Saving records
ADMIN_ADD / ADMIN_CHANGE with the changed fields; deleting records ADMIN_DELETE for the object and
for everything deleted with it, and an UPDATE for every record the deletion changed on its way
(a foreign key set to NULL: a patient's portal login, who recorded a pain drawing), because
Django makes those changes with QuerySet.update(), which no signal reports.
"""
from __future__ import annotations

from django.contrib import admin
from django.db import router, transaction
from django.db.models.deletion import Collector

from audit import events, resolve
from audit.models import Action


def _cleared(collector) -> list[tuple[object, str, object]]:
    """(record, field, new value) for every foreign key the deletion will overwrite."""
    found = []
    for (field, value), batches in collector.field_updates.items():
        for batch in batches:
            for instance in batch:
                found.append((instance, field, value))
    return found


def delete_with_events(request, obj) -> None:
    """Delete `obj` as the admin does, recording what went and what changed."""
    using = router.db_for_write(type(obj), instance=obj)
    collector = Collector(using=using, origin=obj)
    collector.collect([obj])
    gone = [(instance, events.snapshot(instance)) for model, instances in collector.data.items()
            for instance in instances]
    changed = [(instance, field, value, events.snapshot(instance, [field.name]))
               for instance, field, value in _cleared(collector)]
    label = f"{obj._meta.label_lower} {obj.pk}"
    with transaction.atomic(using=using):
        for instance, before in gone:
            # the patient is found while the row still exists
            instance._audit_patient = resolve.patient_of_instance(instance)
        with events.quiet():
            obj.delete()
        for instance, field, value, before in changed:
            events.record(Action.UPDATE, obj=instance, request=request, before=before,
                          after={field.attname: events._json(getattr(value, "pk", value))},
                          detail=f"{field.name} cleared by deleting {label} in the admin site")
        for instance, before in gone:
            events.record(Action.ADMIN_DELETE, obj=instance, patient=instance._audit_patient, request=request,
                          before=before, after=None,
                          detail="deleted in the admin site" if instance is obj else f"deleted with {label}")


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are audit events with before and after values."""

    def save_model(self, request, obj, form, change):
        before = events.snapshot(obj) if change else None
        with transaction.atomic(), events.quiet():
            super().save_model(request, obj, form, change)
            events.record(Action.ADMIN_CHANGE if change else Action.ADMIN_ADD, obj=obj, request=request,
                          before=before, after=events.snapshot(obj), detail="in the admin site")

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        names = [f.name for f in obj._meta.many_to_many]
        before = {n: sorted(getattr(obj, n).values_list("pk", flat=True)) for n in names} if change else {}
        super().save_related(request, form, formsets, change)
        after = {n: sorted(getattr(obj, n).values_list("pk", flat=True)) for n in names}
        if change and events.diff(before, after) != ({}, {}):
            events.record(Action.ADMIN_CHANGE, obj=obj, request=request, before=before, after=after,
                          detail="related records in the admin site")

    def delete_model(self, request, obj):
        delete_with_events(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_with_events(request, obj)


def audit_every_admin(site=None) -> None:
    """Give every ModelAdmin registered on the site (ours, django.contrib.auth's, django-otp's,
    django-axes') the AuditedAdmin hooks. Called from AuditConfig.ready(), after the admin site's
    autodiscovery, so an admin added later is covered without anyone remembering to."""
    site = site or admin.site
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdmin):
            continue
        base = type(model_admin)
        site.unregister(model)
        site.register(model, type(f"Audited{base.__name__}", (AuditedAdmin, base), {"__module__": base.__module__}))
