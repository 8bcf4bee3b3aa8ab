"""`tpclinic synth --patients N [--seed S] [--today YYYY-MM-DD]`: see analytics/synth.py."""
import sys
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from analytics import synth


class Progress:
    """A progress line on stderr: rewritten in place on a terminal, every 10% in a log."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.started, self.shown = stream, time.perf_counter(), -1
        self.tty = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // total
        if not self.tty and tenth == self.shown:
            return
        self.shown = tenth
        elapsed = time.perf_counter() - self.started
        left = elapsed * (total - done) / done if done else 0
        line = f"synth: {done:,}/{total:,} patients ({100 * done // total}%), {elapsed:.0f} s, about {left:.0f} s left"
        self.stream.write(("\r" + line + ("\n" if done == total else "")) if self.tty else line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Add a deterministic synthetic clinic: staff, patients, courses, sessions, injections, adverse events."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, required=True, help="How many patients to add.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed and day, same clinic (default 1).")
        parser.add_argument("--today", type=date.fromisoformat, help="Lay the clinic out around this date.")
        parser.add_argument("--batch", type=int, default=1000, help="Patients per transaction (default 1000).")
        parser.add_argument("--fingerprint", action="store_true", help="Print a digest of what was stored.")
        parser.add_argument("--no-refresh", action="store_true", help="Do not recompute the analytics summary.")

    def handle(self, *args, patients, seed, today, batch, fingerprint, no_refresh, **options):
        if patients < 1:
            raise CommandError("--patients must be at least 1.")
        try:
            result = synth.synthesize(patients, seed=seed, today=today, batch_patients=batch,
                                      progress=Progress() if options["verbosity"] else None)
        except synth.SynthError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{label.split('.')[-1]} {n:,}" for label, n in result.counts.items())
        self.stdout.write(f"Synthetic clinic (seed {seed}, around {result.today}) added in {result.seconds:.1f} s: {counts}")
        if not no_refresh:
            from analytics import summary

            started = time.perf_counter()
            summary.refresh()
            self.stdout.write(f"Analytics summary recomputed in {time.perf_counter() - started:.1f} s.")
        if fingerprint:
            self.stdout.write(f"Fingerprint: {synth.fingerprint(seed)}")
