"""The audit models in the admin site: view only (no add, change or delete for anyone).

AuditedAdmin (audit/admin_events.py) is the base of every ModelAdmin in the project."""
from django.contrib import admin

from audit.admin_events import AuditedAdmin
from audit.models import Amendment, AuditDisclosure, AuditEvent, RejectedEdit


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "username", "role", "action", "object_type", "object_id", "patient_id", "method",
                    "status")
    list_filter = ("action", "role")
    search_fields = ("username", "object_id", "path")
    date_hierarchy = "at"


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "author", "patient", "content_type", "object_id", "reason")


@admin.register(RejectedEdit)
class RejectedEditAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "content_type", "object_id", "base_version", "current_version")


@admin.register(AuditDisclosure)
class AuditDisclosureAdmin(ReadOnlyAdmin):
    list_display = ("event", "patient_id")
    search_fields = ("patient_id",)
