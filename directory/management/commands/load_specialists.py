from django.core.management.base import BaseCommand

from directory.demo import load_demo_specialists


class Command(BaseCommand):
    help = "Create or update the demo specialists directory (about 10 specialists at 2 locations)."

    def handle(self, *args, **options):
        count = load_demo_specialists()
        self.stdout.write(self.style.SUCCESS(f"Demo specialists loaded: {count}."))
