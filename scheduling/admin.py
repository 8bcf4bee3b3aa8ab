from django.contrib import admin

from scheduling.models import ClinicianSession, ClinicSettings, Room


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opens_at", "closes_at", "open_days", "reminder_days_before", "cancel_hours_before"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]


@admin.register(ClinicianSession)
class ClinicianSessionAdmin(admin.ModelAdmin):
    list_display = ["clinician", "weekday", "starts_at", "ends_at", "slot_minutes", "room"]
    list_filter = ["weekday"]
