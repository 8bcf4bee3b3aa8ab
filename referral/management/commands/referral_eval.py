"""`tpclinic referral_eval`: score the ranker on the textbook vignettes, the published cases
(leave-one-publication-out) and the cases with examination findings, each against its target,
with the calibration (reliability table and Brier score). No database."""
from __future__ import annotations

import datetime
import json
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from referral import calibration, literature
from referral import evaluation, learning
from referral import fitting
from referral.evaluation import (TARGETS, Report, evaluate, evaluate_learning, evaluate_vignettes, vignette_temperature,
                                 vignettes_hold)
from referral.knowledge import knowledge_base


REASONS = {
    evaluation.OWN_PUBLICATION_ONLY: "the culprit explains no mark: only the case's own publication documents {own} "
                                     "for it, and a case never scores its own publication's variants",
    evaluation.PATTERN_LACKS_MARKS: "the culprit explains no mark: neither its textbook pattern nor another "
                                    "publication puts its pain in a marked region",
    evaluation.RIVAL_EXPLAINS_MORE: "the first-ranked candidate explains marks the culprit does not ({unexplained})",
    evaluation.RIVAL_STRONGER_ZONES: "both explain the same marks, the first-ranked one with more essential zones",
    evaluation.BROADER_PATTERN: "both explain the same marks alike; the culprit's pattern has more zones the patient "
                                "left unmarked (essential ones: {culprit_unmarked} against {winner_unmarked})",
    evaluation.TIED: "the same evidence for both: the tie is broken by muscle code",
    evaluation.PRIOR: "the culprit's drawing evidence is as good; the prior frequency of trigger points or the "
                      "recorded findings order them",
}


def why(miss: evaluation.Miss) -> str:
    """One miss in words: the culprit's rank, what it and the first-ranked candidate explain, and the reason."""
    culprit, winner = miss.culprit, miss.winner
    reason = REASONS[miss.reason].format(
        own=", ".join(miss.own_variants), unexplained=", ".join(str(p) for p in culprit.unexplained),
        culprit_unmarked=len(culprit.unmarked_essential),
        winner_unmarked=len(winner.unmarked_essential) if winner else 0)
    where = f"rank {miss.rank}" if miss.rank else f"not listed (rank {culprit.rank} among all)"
    explained = ", ".join(evaluation.Miss.explained(culprit)) or "nothing"
    rival = f"; first {winner.muscle}:{winner.side} explains {', '.join(evaluation.Miss.explained(winner)) or 'nothing'}" \
        if winner else ""
    return (f"    {miss.case.id}: {culprit.muscle}:{culprit.side} {where}, explains {explained}{rival}\n"
            f"      why: {reason}")


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f" (target >= {target:.1%}: {'met' if value >= target else 'MISSED'})"


class Command(BaseCommand):
    help = ("Evaluate the referral ranker: textbook vignettes, published cases leave-one-publication-out, "
            "and the cases with examination findings, with the calibration table and Brier score.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
        parser.add_argument("--fit", action="store_true",
                            help="refit the model's parameters and the temperature on all published cases and "
                                 "store them in calibration.toml (refused if the textbook vignettes then fall "
                                 "below their target)")

    def handle(self, *args, **options):
        if options["fit"]:
            self.fit()
        result = evaluate()
        learned = evaluate_learning()
        if options["json"]:
            self.stdout.write(json.dumps({"knowledge_base": knowledge_base().version, **result.to_dict(),
                                          "learning": learned.to_dict()}))
            return
        write = self.stdout.write
        shipped = calibration.settings()
        write(f"Knowledge base {knowledge_base().version}. Shipped values (calibration.toml, fitted on all "
              f"published cases): {fitting.describe(shipped.parameters, shipped.temperature)}. "
              f"Each held-out publication is ranked with the values fitted without it (nested "
              f"leave-one-publication-out); the textbook vignettes with the shipped values.")
        cases = literature.cases()
        unrankable = [c for c in cases if not c.rankable]
        self.section("Textbook vignettes", result.textbook, TARGETS["textbook"])
        self.section("Published cases, leave-one-publication-out", result.published, TARGETS["published"])
        self.reasons(cases)
        if unrankable:
            write(f"  {len(unrankable)} case(s) name muscles this checkout's vocabulary lacks and count as misses: "
                  f"{', '.join(sorted({m for c in unrankable for m in c.muscles}))}")
            rankable = Report(tuple(o for o in result.published.outcomes if o.id not in {c.id for c in unrankable}))
            write(f"  rankable cases only: {rankable.cases}, top-1 {rankable.top1:.1%}, top-3 {rankable.top3:.1%}")
        self.section("Published cases with examination findings, after the findings", result.with_findings,
                     TARGETS["with_findings"])
        self.reasons([c for c in cases if c.findings], with_findings=True)
        examined = {o.id for o in result.with_findings.outcomes}
        plain = Report(tuple(o for o in result.published.outcomes if o.id in examined))
        write(f"  the same cases before the findings: top-1 {plain.top1:.1%}, top-3 {plain.top3:.1%}")
        self.folds()
        write(f"Diagnostic, not used: the textbook vignettes would choose temperature {vignette_temperature()}; "
              f"drawn from the patterns themselves, they ask for sharper likelihoods than real patients' "
              f"drawings bear.")
        self.learning(learned)

    def fit(self) -> None:
        found = fitting.fit(admissible=vignettes_hold)
        textbook = evaluate_vignettes(parameters=found.parameters, temperature=found.temperature)
        if textbook.top1 < TARGETS["textbook"]["top1"]:
            raise CommandError(f"Not written: with the fit ({found.describe()}) the textbook vignettes score "
                               f"top-1 {textbook.top1:.1%}, below their target {TARGETS['textbook']['top1']:.1%}.")
        cases = [c for c in literature.cases() if c.rankable]
        fitted_on = (f"published cases, {len(cases)} cases from {len({c.publication for c in cases})} publications, "
                     f"each without its own publication's variants")
        calibration.write_fit(found.parameters, found.temperature, fitted_on, datetime.date.today().isoformat(),
                              fitting.grid_text())
        self.stdout.write(f"Fitted on the published cases and written to calibration.toml: {found.describe()} "
                          f"(mean negative log-likelihood {found.loss:.3f}; textbook vignettes top-1 "
                          f"{textbook.top1:.1%} with these values)")

    def folds(self) -> None:
        """The range of each parameter chosen across the folds."""
        spans = [f"{name} {low}" if low == high else f"{name} {low} to {high}"
                 for name, (low, high) in fitting.fold_ranges(admissible=vignettes_hold).items()]
        self.stdout.write(f"\nInside the {len(fitting.nested(admissible=vignettes_hold))} folds (each fitted on the other publications' cases, "
                          f"on the grid of referral/fitting.py): " + "; ".join(spans) + ".")

    def learning(self, report) -> None:
        write = self.stdout.write
        write(f"\nLearning from the clinic (synthetic clinic, seed {evaluation.SEED}; prior strength "
              f"{learning.PRIOR_STRENGTH:g} pseudo-patients): {report.muscles} muscles, {report.changed} differ from "
              f"the textbook (1 in {evaluation.EVERY} with a common extra zone marked {evaluation.EXTRA_RATE:.0%}, "
              f"1 in {evaluation.EVERY} with an essential zone marked {evaluation.RARE_RATE:.0%}); its zones are "
              f"marked independently, so all its rankings use unmarked weight {evaluation.SYNTHETIC_UNMARKED_WEIGHT:g}")
        write(f"  Held-out drawings: {report.held_out}. Top-1: textbook {report.textbook:.1%}, learned "
              f"({report.trained_per_muscle} per muscle) {report.learned:.1%}, oracle {report.oracle:.1%}")
        write("  Learning curve (training drawings per muscle -> held-out top-1):")
        for n, value in report.curve:
            write(f"    {n:4d}: {value:.1%}")
        gap = report.vignettes_learned - report.vignettes_textbook
        write(f"  Textbook vignettes: textbook {report.vignettes_textbook:.1%}, learned {report.vignettes_learned:.1%} "
              f"({'within' if gap >= -0.01 else 'MORE than'} 1 point)")

    def reasons(self, cases, *, with_findings: bool = False) -> None:
        misses = [m for case in cases if (m := evaluation.diagnose(case, with_findings=with_findings))]
        self.stdout.write(f"  Why each rankable case is missed ({len(misses)}):")
        for miss in misses:
            self.stdout.write(why(miss))
        counts = Counter(miss.reason for miss in misses)
        self.stdout.write("  Reasons: " + ", ".join(f"{reason} {n}" for reason, n in counts.most_common()))

    def section(self, title: str, report: Report, targets: dict) -> None:
        write = self.stdout.write
        write(f"\n{title}: {report.cases} cases")
        write(f"  Top-1: {report.top1:.1%}{verdict(report.top1, targets.get('top1'))}")
        write(f"  Top-3: {report.top3:.1%}{verdict(report.top3, targets.get('top3'))}")
        write(f"  MRR:   {report.mrr:.3f}")
        write(f"  Brier score of the top candidate's stated likelihood: {calibration.brier(report.pairs):.3f}")
        write("  Reliability (stated likelihood of the top candidate -> how often it was right):")
        for row in calibration.reliability(report.pairs):
            if row.cases:
                write(f"    {row.low:.1f}-{row.high:.1f}: {row.cases:3d} cases, stated {row.mean_confidence:.0%}, "
                      f"right {row.accuracy:.0%}")
        misses = report.misses(1)
        write(f"  Misses (not ranked first): {len(misses)}")
        for outcome in misses:
            where = f"rank {outcome.rank}" if outcome.rank else "not listed"
            write(f"    {outcome.id}: expected {outcome.expected} ({where}); top 3: {', '.join(outcome.top) or '-'}")
