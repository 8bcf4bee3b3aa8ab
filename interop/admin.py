"""Admin for API tokens (see and revoke; tokens are created only by `tpclinic api_token`) and import links."""
from django.contrib import admin

from interop.models import ApiToken, BackendClient, FhirLink


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "expires", "last_used", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "user__username", "prefix"]
    fields = ["user", "name", "prefix", "created", "expires", "last_used", "revoked"]
    readonly_fields = ["user", "prefix", "created", "last_used"]

    def has_add_permission(self, request):
        return False  # a token is shown once, so it is made on the command line: tpclinic api_token USERNAME


@admin.register(FhirLink)
class FhirLinkAdmin(admin.ModelAdmin):
    list_display = ["resource_type", "resource_id", "source", "content_type", "object_id", "imported_by", "imported_at"]
    list_filter = ["resource_type"]
    search_fields = ["resource_id", "source"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(BackendClient)
class BackendClientAdmin(admin.ModelAdmin):
    """SMART backend services: their public keys (JWKS). Register one with `tpclinic smart_client --backend`."""

    list_display = ["application", "created"]
    readonly_fields = ["application", "created"]

    def has_add_permission(self, request):
        return False
