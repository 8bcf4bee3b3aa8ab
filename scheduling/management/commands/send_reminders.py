import time

from django.core.management.base import BaseCommand

from scheduling.tasks import queue_due_reminders


class Command(BaseCommand):
    help = ("Queue appointment reminders that are due (the worker sends them). Idempotent: an appointment "
            "is reminded once. With --every N it repeats every N seconds (make run starts it that way).")

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every this many seconds")

    def handle(self, *args, every=0, **options):
        while True:
            queued = queue_due_reminders()
            if options["verbosity"]:
                self.stdout.write(f"{queued} reminder(s) queued.")
            if not every:
                return
            time.sleep(every)
