"""`tpclinic referral_eval`: score the ranker on the vignettes (no database)."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from referral.evaluation import evaluate
from referral.knowledge import knowledge_base


class Command(BaseCommand):
    help = "Evaluate the referral ranker on the pain-drawing vignettes: top-1, top-3, MRR and misses."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")

    def handle(self, *args, **options):
        report = evaluate()
        if options["json"]:
            self.stdout.write(json.dumps({"knowledge_base": knowledge_base().version, **report.to_dict()}))
            return
        write = self.stdout.write
        write(f"Knowledge base {knowledge_base().version}")
        write(f"Cases: {report.cases}")
        write(f"Top-1: {report.top1:.1%}")
        write(f"Top-3: {report.top3:.1%}")
        write(f"MRR:   {report.mrr:.3f}")
        for label, part in (("textbook-pattern", report.subset(True)), ("published-case", report.subset(False))):
            write(
                f"  {label} vignettes: {part.cases} cases, top-1 {part.top1:.1%}, "
                f"top-3 {part.top3:.1%}, MRR {part.mrr:.3f}"
            )
        misses = report.misses(1)
        if not misses:
            write("Misses: none")
            return
        write(f"Misses (expected muscle and side not ranked first): {len(misses)}")
        for outcome in misses:
            vignette = outcome.vignette
            where = f"rank {outcome.rank}" if outcome.rank else "not ranked"
            write(
                f"  {vignette.id}: expected {vignette.expected}:{vignette.expected_side} ({where}); "
                f"top 3: {', '.join(outcome.top)}"
            )
