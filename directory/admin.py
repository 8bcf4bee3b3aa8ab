from django.contrib import admin

from directory.models import Location, Specialist


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "phone")
    search_fields = ("name", "city", "address")


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    list_display = ("name", "credentials", "taxonomy_code", "languages", "accepting_new_patients",
                    "performs_trigger_point_injections")
    list_filter = ("accepting_new_patients", "performs_trigger_point_injections", "locations")
    search_fields = ("name", "taxonomy_code", "languages")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("locations",)
    raw_id_fields = ("user",)
