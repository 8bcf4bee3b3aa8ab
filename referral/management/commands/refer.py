"""`tpclinic refer`: rank the muscles whose trigger points explain a pain drawing.

With the textbook model (the default) it reads the knowledge base file only and never touches the
database, so it works before `migrate`; `--model clinic` reads the clinic's newest learned model.
"""
from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from anatomy import vocabulary
from referral.knowledge import knowledge_base
from referral import learning, literature
from referral.models import LearnedModel
from referral.ranking import TEXTBOOK, DrawingError, assess, rank


def read_words(words: list[str]) -> list:
    """Turn `CODE[:side][@intensity]` words into ranker input; raise DrawingError on a bad word."""
    drawing = []
    for word in words:
        place_text, has_intensity, intensity_text = word.partition("@")
        try:
            place = vocabulary.parse_place(place_text)
        except vocabulary.VocabularyError as error:
            raise DrawingError(f"{word!r}: {error}") from None
        if not has_intensity:
            drawing.append(place)
            continue
        try:
            intensity = float(intensity_text)
        except ValueError:
            raise DrawingError(f"{word!r}: intensity must be a number from 0 to 10.") from None
        drawing.append((place, intensity))
    return drawing


class Command(BaseCommand):
    help = (
        "Rank the muscles (with side) whose trigger-point referral patterns explain a pain drawing. "
        "Give painful places as CODE:left, CODE:right or plain CODE for a midline region, "
        "optionally with a pain intensity 0-10 as CODE:side@7."
    )
    requires_system_checks = []  # no database, no checks: a quick tool for the command line
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("places", nargs="*", metavar="CODE[:left|right]", help="painful places")
        parser.add_argument("--json", action="store_true", help="print one JSON array, best first")
        parser.add_argument("--top", type=int, default=10, help="how many candidates to show (default 10)")
        parser.add_argument(
            "--batch",
            metavar="FILE",
            help="read one drawing per line ('-' for standard input) and print one JSON array per line",
        )
        parser.add_argument("--model", choices=[TEXTBOOK, "clinic"], default=TEXTBOOK,
                            help="rank with the textbook patterns (default) or the clinic's learned model "
                                 "(tpclinic referral_learn builds it)")

    def handle(self, *args, **options):
        top = options["top"]
        if top < 1:
            raise CommandError("--top must be 1 or more.", returncode=2)
        self.model = None
        if options["model"] == "clinic":
            self.model = LearnedModel.current()
            if self.model is None:
                raise CommandError("No learned model yet: run tpclinic referral_learn first.", returncode=2)
        if options["batch"]:
            if options["places"]:
                raise CommandError("Give places either on the command line or with --batch, not both.", returncode=2)
            return self.batch(options["batch"], top, options.get("stdin"))
        try:
            assessment = assess(read_words(options["places"]), top=top, model=self.model)
        except DrawingError as error:
            raise CommandError(str(error), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps([c.to_dict() for c in assessment.candidates], ensure_ascii=False))
        else:
            self.print_table(options["places"], assessment)

    def batch(self, source: str, top: int, stdin=None) -> None:
        if source == "-":
            lines = stdin or sys.stdin
        else:
            try:
                lines = open(source, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot read {source}: {error.strerror}.", returncode=2) from None
        failed = total = 0
        with lines if source != "-" else _NoClose(lines):
            for line in lines:
                total += 1
                try:
                    result = [c.to_dict() for c in rank(read_words(line.split()), top=top, model=self.model)]
                except DrawingError as error:
                    failed += 1
                    result = {"error": f"line {total}: {error}"}
                self.stdout.write(json.dumps(result, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} of {total} drawing(s) could not be read.", returncode=1)

    def print_table(self, words: list[str], assessment) -> None:
        ranking = assessment.candidates
        write = self.stdout.write
        if not words:
            write("No painful places given: nothing to rank.")
            return
        if not ranking:
            write("No listed muscle refers pain to these places.")
            return
        write(f"Pain drawing: {' '.join(words)}")
        write(f"Knowledge base {knowledge_base().version}; likelihood calibrated on published case reports (0-1)")
        if assessment.model == TEXTBOOK:
            write("Model: textbook patterns.")
        else:
            write(f"Model: this clinic's learned patterns, {assessment.model_version} "
                  f"({assessment.model_examples} confirmed examples).")
        write(f"Listed: the {assessment.fitting} muscle-side pair(s) that explain at least one mark; no others.")
        if assessment.sparse:
            if assessment.prior_studies:
                write("One region marked: many muscles fit it. They are ordered with the prior frequency of active "
                      "trigger points in each muscle, from:")
                for study in assessment.prior_studies:
                    write(f"  {study.citation}")
            else:
                write("One region marked: many muscles fit it. No prevalence study covers this region, so the "
                      "drawing alone orders them.")
        elif assessment.prior_studies:
            write("Few regions marked: the muscles are also ordered with the prior frequency of active trigger "
                  "points in each muscle, from:")
            for study in assessment.prior_studies:
                write(f"  {study.citation}")
        write("")
        clinic = assessment.model != TEXTBOOK
        rows = [("#", "Muscle", "Side", "Likelihood", "Essential", "Spillover / local", "Also reported")
                + (("Learned",) if clinic else ()) + ("Unexplained",)]
        for c in ranking:
            name = c.muscle_name + (" *" if c.confidence != "confirmed" else "")
            rows.append(
                (
                    str(c.rank),
                    name,
                    c.side,
                    f"{c.score:.2f} {c.band}",
                    _places(c.explained_essential),
                    _places(c.explained_spillover + c.explained_local),
                    _reported(c.explained_reported),
                )
                + ((_places(c.explained_learned),) if clinic else ())
                + (_places(c.unexplained),)
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if any(c.confidence != "confirmed" for c in ranking):
            write("\n* pattern recalled from the textbook, still to be verified by a clinician")
        said = [learning.sentence(e, c.muscle_name) for c in ranking for e in c.clinic_evidence]
        if said:
            write("\nIn this clinic:")
            for sentence in said:
                write(f"  {sentence}")
        cited = sorted({p for c in ranking for r in c.explained_reported for p in r.publications})
        if cited:
            write("\nAlso reported in:")
            for ident in cited:
                write(f"  {ident}: {literature.publications()[ident].citation}")


def _places(places) -> str:
    return ", ".join(str(p) for p in places) or "-"


def _reported(reported) -> str:
    """"face.lower-teeth:right (other side; 1 publication)": a published variant, kept apart."""
    parts = []
    for r in reported:
        count = f"{r.reports} publication{'s' if r.reports != 1 else ''}"
        parts.append(f"{r.place} ({'other side; ' if r.other_side else ''}{count})")
    return ", ".join(parts) or "-"


class _NoClose:
    """Lets standard input share the `with` of a file without being closed."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc):
        return False
