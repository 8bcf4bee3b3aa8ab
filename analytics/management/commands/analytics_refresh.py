"""`tpclinic analytics_refresh`: rebuild the outcome summary the analytics page reads.

Run it nightly (cron or a systemd timer) and after bulk imports; a clinic under
summary.INLINE_REFRESH_MAX_SESSIONS signed sessions never needs it, the page refreshes itself.
"""
from django.core.management.base import BaseCommand

from analytics import summary


class Command(BaseCommand):
    help = "Recompute the outcome summary behind /analytics/ (nightly, or after an import)."

    def handle(self, *args, **options):
        snapshot = summary.refresh()
        self.stdout.write(f"Outcome summary recomputed in {snapshot.seconds:.1f} s.")
