from django.contrib import admin

from treatment.models import InjectionSet, InjectionSetItem


class InjectionSetItemInline(admin.TabularInline):
    model = InjectionSetItem
    extra = 1


@admin.register(InjectionSet)
class InjectionSetAdmin(admin.ModelAdmin):
    """Administrators keep the clinic-wide favourites here (clinical records are not registered)."""

    list_display = ["name", "clinic_wide", "owner"]
    list_filter = ["clinic_wide"]
    inlines = [InjectionSetItemInline]
