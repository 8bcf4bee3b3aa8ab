"""Nothing clinical is ever hard-deleted: the admin site offers no delete for clinical records."""
import pytest
from django.contrib import admin
from django.test import RequestFactory

CLINICAL_APPS = {"patients", "charting", "treatment", "referral", "safety", "portal", "audit"}

pytestmark = pytest.mark.django_db


def clinical_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in CLINICAL_APPS]


def test_no_clinical_model_can_be_deleted_in_the_admin_site(django_user_model):
    superuser = django_user_model.objects.create_superuser("root", password="x" * 12)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    offenders = []
    for model, model_admin in clinical_admins():
        if model_admin.has_delete_permission(request) or "delete_selected" in model_admin.get_actions(request):
            offenders.append(model._meta.label)
    assert not offenders, f"these admin classes allow deleting clinical records: {offenders}"


def test_the_audit_models_are_read_only_in_the_admin_site(django_user_model):
    from audit.models import Amendment, AuditEvent, RejectedEdit

    superuser = django_user_model.objects.create_superuser("root", password="x" * 12)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model in (AuditEvent, Amendment, RejectedEdit):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_patients_and_their_records_are_protected_from_cascading_deletes():
    """Deleting a patient, course or session cannot take clinical records with it (PROTECT)."""
    from django.db import models

    from patients.models import Patient
    from treatment.models import Course, Session

    for parent in (Patient, Course, Session):
        for relation in parent._meta.related_objects:
            if relation.related_model._meta.app_label in {"charting", "treatment", "safety", "referral"}:
                assert relation.on_delete is not models.CASCADE or relation.related_model._meta.model_name == "injection", (
                    f"{relation.related_model._meta.label}.{relation.field.name} cascades from {parent._meta.label}")
