"""Property tests: the rules never raise on valid input and keep their promises for any plan."""
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anatomy import vocabulary
from safety.coding import cpt_for_session
from safety.dose import CAUTION, OK, OVER, UNKNOWN, dose_report
from safety.facts import AGENTS, ANAESTHETICS, PatientFacts, PlannedInjection
from safety.payer import PastSession, check_session, earliest_compliant_date
from safety.screen import screen

MUSCLES = sorted(vocabulary.muscles())
# database=None: keep no example cache (no .hypothesis folder outside safety/).
FAST = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def decimals(low, high, places=2):
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False)


numbers = lambda low, high: st.one_of(decimals(low, high), st.integers(int(low) + 1, int(high)))  # noqa: E731


@st.composite
def injections(draw, agents=AGENTS):
    agent = draw(st.sampled_from(agents))
    anaesthetic = agent in ANAESTHETICS
    return PlannedInjection(
        muscle=draw(st.sampled_from(MUSCLES)),
        side=draw(st.sampled_from(["left", "right", None])),
        agent=agent,
        concentration_pct=draw(decimals(0, 4)) if anaesthetic else 0,
        with_epinephrine=draw(st.booleans()) if anaesthetic else False,
        volume_ml=draw(decimals(0, 60)),
    )


@st.composite
def patients(draw):
    return PatientFacts(
        sex=draw(st.sampled_from(["female", "male", "other", ""])),
        age_years=draw(numbers(0, 110)),
        height_cm=draw(st.none() | numbers(40, 230)),
        weight_kg=draw(st.none() | numbers(1, 300)),
        pregnant=draw(st.booleans()),
        renal_disease=draw(st.booleans()),
        hepatic_disease=draw(st.booleans()),
        cardiac_disease=draw(st.booleans()),
        bleeding_disorder=draw(st.booleans()),
        copd=draw(st.booleans()),
        on_anticoagulant=draw(st.booleans()),
        on_antiplatelet=draw(st.booleans()),
        allergy_classes=draw(st.frozensets(st.sampled_from(["amide", "ester"]))),
        systemic_infection=draw(st.booleans()),
        infected_sites=draw(st.frozensets(st.sampled_from(MUSCLES[:10] + ["upper-trapezius:left"]), max_size=3)),
    )


plans = st.lists(injections(), max_size=12)


@FAST
@given(patients(), plans)
def test_dose_report_is_consistent(patient, plan):
    report = dose_report(patient, plan)
    assert report.status in (OK, CAUTION, OVER, UNKNOWN)
    assert report.anaesthetic_planned == any(i.is_anaesthetic for i in plan)
    if report.dosing_weight_kg is not None:
        assert 0 < report.dosing_weight_kg <= patient.weight_kg
    if report.status == UNKNOWN:
        assert patient.weight_kg is None and report.blocks_signing
        return
    assert report.total_fraction == sum((row.fraction for row in report.rows), Fraction(0))
    expected = OVER if report.total_fraction > 1 else CAUTION if report.total_fraction >= Fraction(4, 5) else OK
    assert report.status == expected
    for row in report.rows:
        assert row.limit_mg <= Decimal(1000) and row.mg >= 0


@FAST
@given(patients(), plans, injections(agents=ANAESTHETICS), decimals(0, 30))
def test_more_volume_never_lowers_the_fraction(patient, plan, extra, more):
    patient = replace(patient, weight_kg=patient.weight_kg or Decimal(70))
    before = dose_report(patient, plan + [extra])
    after = dose_report(patient, plan + [replace(extra, volume_ml=extra.volume_ml + more)])
    assert after.total_fraction >= before.total_fraction
    order = [OK, CAUTION, OVER]
    assert order.index(after.status) >= order.index(before.status)


@FAST
@given(patients(), plans)
def test_conditions_never_raise_a_limit(patient, plan):
    healthy = replace(patient, age_years=30, pregnant=False, renal_disease=False, hepatic_disease=False,
                      cardiac_disease=False)
    limits = {(r.agent, r.with_epinephrine): r.limit_mg for r in dose_report(healthy, plan).rows}
    for row in dose_report(patient, plan).rows:
        if row.limit_mg is not None:
            assert row.limit_mg <= limits[(row.agent, row.with_epinephrine)]


@FAST
@given(patients(), plans, st.none() | st.text(max_size=20))
def test_screen_never_raises_and_blocks_are_consistent(patient, plan, reason):
    result = screen(patient, plan, dose_override_reason=reason)
    assert result.blocked == any(f.level == "block" for f in result.findings)
    assert result.can_sign is not result.blocked
    levels = [f.level for f in result.findings]
    assert levels == sorted(levels, key=["block", "warn", "info"].index)
    if any(i.is_anaesthetic and i.agent != "chloroprocaine" for i in plan) and "amide" in patient.allergy_classes:
        assert result.blocked
    if patient.systemic_infection and plan:
        assert result.blocked
    if result.dose.status == OVER and not (reason or "").strip():
        assert result.blocked
    if not plan:  # only patient-level findings, nothing about muscles or doses
        assert all(f.muscle is None for f in result.findings)
        assert {f.rule for f in result.findings} <= {"infection-systemic", "bleeding", "pregnancy", "dose-lowered"}


@FAST
@given(plans)
def test_cpt_counts_distinct_sites(plan):
    result = cpt_for_session(plan)
    injected = {(i.muscle, i.side) for i in plan if i.agent != "dry-needling"}
    needled = {(i.muscle, i.side) for i in plan if i.agent == "dry-needling"}
    counted = injected or needled
    assert result.muscle_count == len(counted)
    assert len(result.codes) == (1 if counted else 0)
    if counted:
        low, high = ("20552", "20553") if injected else ("20560", "20561")
        assert result.code == (low if len(counted) <= 2 else high)


sites = st.frozensets(st.tuples(st.sampled_from(MUSCLES[:4]), st.sampled_from(["left", "right"])), min_size=1, max_size=2)
histories = st.lists(
    st.builds(PastSession, st.dates(date(2025, 1, 1), date(2026, 6, 30)), sites), max_size=6
)


@settings(max_examples=80, deadline=None, database=None)
@given(histories, sites, st.dates(date(2025, 6, 1), date(2026, 12, 31)))
def test_earliest_compliant_date_is_the_first_that_passes(history, planned, wanted):
    found = earliest_compliant_date("medicare-uniform-tpi-2024", history, planned, wanted)
    blocking = {"payer-gap", "payer-count"}

    def passes(day):
        return not blocking & {f.rule for f in check_session("medicare-uniform-tpi-2024", history, day, planned, True)}

    assert found >= wanted and passes(found)
    day = wanted
    while day < found:
        assert not passes(day), day
        day += timedelta(days=1)


# -- dosing weight: no cliff anywhere in the adult range (issue 15) -----------------------------
_heights = st.decimals(min_value=100, max_value=220, places=1)
_weights = st.decimals(min_value=30, max_value=200, places=1)
_steps = st.decimals(min_value=Decimal("0.1"), max_value=40, places=1)


def _limit(sex, height, weight):
    facts = PatientFacts(sex=sex, age_years=40, height_cm=height, weight_kg=weight)
    return dose_report(facts, [PlannedInjection("deltoid", "left", "lidocaine", 1, False, 1)]).rows[0].limit_mg


@FAST
@given(st.sampled_from(["female", "male", "other"]), _heights, _steps, _weights)
def test_limit_never_falls_as_height_rises(sex, height, step, weight):
    assert _limit(sex, height, weight) <= _limit(sex, min(height + step, Decimal(220)), weight)


@FAST
@given(st.sampled_from(["female", "male", "other"]), _heights, _weights, _steps)
def test_limit_never_falls_as_weight_rises(sex, height, weight, step):
    assert _limit(sex, height, weight) <= _limit(sex, height, min(weight + step, Decimal(200)))


@FAST
@given(st.sampled_from(["female", "male"]), _heights, _weights)
def test_limit_has_no_jump_for_a_millimetre_of_height(sex, height, weight):
    # Devine's slope is 0.91 kg/cm and the floor's at most 0.82 kg/cm at 220 cm: 0.1 cm moves the
    # dosing weight by under 0.1 kg, so the plain-lidocaine limit by under 0.45 mg.
    low, high = _limit(sex, height, weight), _limit(sex, height + Decimal("0.1"), weight)
    assert Decimal(0) <= high - low < Decimal("0.45")
