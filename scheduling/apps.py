from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self):
        from scheduling.booking import close_signed_appointment
        from treatment.signals import session_signed

        session_signed.connect(close_signed_appointment, dispatch_uid="scheduling-close-signed")
