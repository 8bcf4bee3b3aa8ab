"""`tpclinic audit_verify`: walk the audit hash chain and name the first row that breaks it."""
from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.models import AuditEvent


class Command(BaseCommand):
    help = "Check that no audit event was changed, deleted or forged (exit status 1 names the first broken row)."

    def handle(self, *args, **options):
        breaks = chain.verify()
        if breaks:
            for found in breaks[1:10]:
                self.stderr.write(f"also: {found}")
            raise CommandError(f"The audit chain is broken at {breaks[0]} ({len(breaks)} problem(s) found).")
        self.stdout.write(f"The audit chain holds: {AuditEvent.objects.count()} events verified.")
