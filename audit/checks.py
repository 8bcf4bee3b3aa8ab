"""System checks for the deployment checklist (`tpclinic check --deploy`)."""
from django.conf import settings
from django.core import checks
from django.db import connections


@checks.register(checks.Tags.security, deploy=True)
def mfa_is_on(app_configs, **kwargs):
    problems = []
    if not getattr(settings, "MFA_REQUIRED", True):
        problems.append(checks.Warning(
            "MFA_REQUIRED is off: staff log in with a password alone.",
            hint="Unset MFA_REQUIRED (it defaults to on) for any installation that holds real patients.",
            id="accounts.W001",
        ))
    if getattr(settings, "MFA_EXEMPT_BACKENDS", None):
        problems.append(checks.Warning(
            "MFA_EXEMPT_BACKENDS is set: sessions made by those backends skip the second factor.",
            hint="Only the test settings may set it.", id="accounts.W002",
        ))
    if getattr(settings, "AUDIT_ALLOW_FLUSH", False):
        problems.append(checks.Warning(
            "AUDIT_ALLOW_FLUSH is set: `flush` may empty the audit trail.",
            hint="Only the test settings may set it.", id="audit.W001",
        ))
    return problems


@checks.register(checks.Tags.database, deploy=True)
def audit_triggers_installed(app_configs, databases=None, **kwargs):
    """The append-only triggers exist (only checked when the database is reachable and migrated)."""
    from audit import db as audit_db

    problems = []
    for alias in databases or []:
        connection = connections[alias]
        try:
            if "audit_auditevent" not in connection.introspection.table_names():
                continue
            if connection.vendor in {"sqlite", "postgresql"} and not audit_db.installed(connection):
                problems.append(checks.Error(
                    "The audit tables have no append-only triggers.",
                    hint="Run `tpclinic migrate audit` (migration 0002 installs them).", id="audit.E001",
                ))
        except Exception:  # the database may not exist yet: migrate will tell
            continue
    return problems
