from django.contrib import admin

from treatment.models import InjectionSet, InjectionSetItem


class InjectionSetItemInline(admin.TabularInline):
    model = InjectionSetItem
    extra = 1


@admin.register(InjectionSet)
class InjectionSetAdmin(admin.ModelAdmin):
    """Administrators keep the clinic-wide favourites here. Like every model of a clinical app, a set is
    not deleted in the admin site: clear "clinic-wide" to withdraw it from every clinician's list."""

    list_display = ["name", "clinic_wide", "owner"]
    list_filter = ["clinic_wide"]
    inlines = [InjectionSetItemInline]

    def has_delete_permission(self, request, obj=None):
        return False
