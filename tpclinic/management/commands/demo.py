from datetime import date

from django.core.management.base import BaseCommand, CommandError

from patients.models import Patient
from tpclinic.demo import DEMO_PASSWORD, PORTAL_PATIENTS, STAFF, build_demo_clinic


class Command(BaseCommand):
    help = "Load the deterministic demo clinic (staff, about 40 patients with courses at every stage)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when patients already exist.")
        parser.add_argument("--today", type=date.fromisoformat, help="Lay the demo out around this date (YYYY-MM-DD).")

    def handle(self, *args, if_empty=False, today=None, **options):
        if Patient.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds patients; demo clinic not loaded.")
                self._print_logins()
                return
            raise CommandError("The database already holds patients. The demo clinic loads only into an empty one.")
        result = build_demo_clinic(today=today)
        self.stdout.write(self.style.SUCCESS(f"Demo clinic loaded: {result['patients']} patients."))
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for seed in STAFF:
            self.stdout.write(f"  {seed.username:<16} {seed.first} {seed.last}, {seed.role}")
        for patient in Patient.objects.filter(mrn__in=PORTAL_PATIENTS, user__isnull=False).select_related("user"):
            self.stdout.write(f"  {patient.user.username:<16} {patient.full_name}, patient ({patient.preferred_language})")
