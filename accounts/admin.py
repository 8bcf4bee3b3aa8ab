from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "credentials", "preferred_interval_days", "has_authenticator")
    list_filter = ("role",)
    actions = ["reset_authenticator", "unlock_logins"]

    @admin.display(boolean=True, description=_("authenticator app"))
    def has_authenticator(self, profile):
        from accounts.mfa import has_device

        return has_device(profile.user)

    @admin.action(description=_("Remove the authenticator app (they set up a new one at their next login)"))
    def reset_authenticator(self, request, queryset):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        removed, _ = TOTPDevice.objects.filter(user__staff_profile__in=queryset).delete()
        text = ngettext("%d authenticator removed.", "%d authenticators removed.", removed) % removed
        self.message_user(request, text, messages.SUCCESS)

    @admin.action(description=_("Unlock logins paused after failed attempts"))
    def unlock_logins(self, request, queryset):
        from axes.utils import reset

        count = sum(reset(username=profile.user.get_username()) for profile in queryset)
        self.message_user(request, ngettext("%d lockout lifted.", "%d lockouts lifted.", count) % count,
                          messages.SUCCESS)
