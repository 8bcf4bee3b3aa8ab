from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from audit import checks, signals  # noqa: F401  (connects the receivers, registers checks)
        from audit.admin_events import audit_every_admin

        audit_every_admin()
