"""`tpclinic referral_learn`: rebuild the clinic's learned referral model (counts only).

Without options, from the clinic's records (the same function the nightly task runs); with
`--from FILE`, from pooled anonymised examples, one JSON object a line; `--nightly` queues the
nightly task instead of building now."""
from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django_tasks_db.models import DBTaskResult

from referral import learning
from referral.models import LearnedModel
from referral.tasks import learn_from_clinic, next_night


class Command(BaseCommand):
    help = ("Learn the clinic's referral patterns from confirmed trigger points (responding courses), or from "
            "a file of pooled examples (--from FILE, '-' for standard input); stores counts only.")
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", metavar="FILE",
                            help='JSON lines: {"drawing": ["head.temple:left"], "confirmed": ["upper-trapezius:left"]}')
        parser.add_argument("--nightly", action="store_true", help="queue the nightly rebuild (02:00) and exit")
        parser.add_argument("--json", action="store_true", help="print the stored model's counts as JSON")

    def handle(self, *args, **options):
        if options["nightly"]:
            return self.queue_nightly()
        if options["source"]:
            model = learning.learn(self.read(options["source"], options.get("stdin")))
            row = LearnedModel.store(model, source="file")
        else:
            learn_from_clinic.call()
            row = LearnedModel.objects.latest()
        if options["json"]:
            self.stdout.write(json.dumps(row.counts, sort_keys=True))
            return
        muscles = len(row.counts["muscles"])
        self.stdout.write(f"Learned model {row.version}: {row.examples} confirmed example(s) over {muscles} muscle(s). "
                          f"Rank with it: tpclinic refer --model clinic, or REFERRAL_MODEL=clinic for the web ranking.")

    def read(self, source: str, stdin=None) -> list[learning.Example]:
        try:
            if source == "-":
                return learning.read_examples(stdin or sys.stdin)
            with open(source, encoding="utf-8") as lines:
                return learning.read_examples(lines)
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error.strerror}.", returncode=2) from None
        except learning.ExampleError as error:
            raise CommandError(f"{source}: {error} Nothing was stored.", returncode=2) from None

    def queue_nightly(self) -> None:
        waiting = DBTaskResult.objects.filter(status="READY", task_path=learn_from_clinic.module_path).exists()
        if waiting:
            self.stdout.write("The nightly rebuild is already queued.")
            return
        learn_from_clinic.using(run_after=next_night()).enqueue(nightly=True)
        self.stdout.write(f"Queued the nightly rebuild for {next_night():%Y-%m-%d %H:%M}; each run queues the next.")
