"""Bad input: property tests of the clinical rule functions that had none.

treatment/course_rules.py and referral/drawings.py had no property tests; safety and referral's
ranking have theirs (safety/tests/test_properties.py, referral/tests/test_ranking.py). The gaps
filled here beside them: the place and site notation, ICD-10-CM normalising, the payer site
list, adverse-event rates, the consent form's language choice, the language-tag validator, the
calendar file's escaping and folding, and the diary's region reading.
For any input, each function either answers or raises its own documented error, and keeps its promises.
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from anatomy import vocabulary
from referral import drawings
from safety import present
from treatment import course_rules
from treatment.course_rules import DueStatus, Response

FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

PLACES = sorted(vocabulary.all_places())
MUSCLES = sorted(vocabulary.muscles())
pain = st.integers(0, 10)
scores = st.lists(st.one_of(st.none(), pain), max_size=20)
days = st.dates(date(2000, 1, 1), date(2090, 12, 31))
junk = st.text(max_size=60)


# --- treatment/course_rules.py ----------------------------------------------------------------

@FAST
@given(pain, pain)
def test_pain_reduction_is_the_percent_fall_from_baseline(baseline, latest):
    reduction = course_rules.pain_reduction_pct(baseline, latest)
    if baseline == 0:
        assert reduction is None
    else:
        assert reduction == pytest.approx((baseline - latest) * 100 / baseline)
        assert reduction <= 100
        assert (reduction > 0) == (latest < baseline)


@FAST
@given(st.integers(-5, 20), st.integers(-5, 20))
def test_pain_reduction_never_raises_on_out_of_range_scores(baseline, latest):
    reduction = course_rules.pain_reduction_pct(baseline, latest)
    assert reduction is None if baseline <= 0 else isinstance(reduction, float)


@FAST
@given(scores)
def test_judge_response_keeps_its_promises(history):
    judged = course_rules.judge_response(history)
    given_scores = [s for s in history if s is not None]
    assert judged.sessions == len(history)  # sessions held, scored or not
    assert present.response_explanation(judged) and present.response_label(judged.response) and judged.response.tone
    if not given_scores:
        assert judged.response is Response.NO_DATA and judged.baseline is None
        return
    assert (judged.baseline, judged.latest) == (given_scores[0], given_scores[-1])
    if judged.baseline == 0 and judged.latest == 0:
        assert judged.response is Response.NO_PAIN
        return
    if len(history) < course_rules.JUDGE_FROM_SESSION:
        assert judged.response is Response.TOO_EARLY
        return
    reduction = judged.reduction_pct
    if reduction is None:
        assert judged.baseline == 0
        assert judged.response is Response.NOT_RESPONDING
    elif reduction >= course_rules.SUBSTANTIAL_REDUCTION:
        assert judged.response is Response.SUBSTANTIAL
    elif reduction >= course_rules.RESPONDING_REDUCTION:
        assert judged.response is Response.RESPONDING
    else:
        assert judged.response is Response.NOT_RESPONDING


@FAST
@given(scores)
def test_missing_scores_change_no_verdict_once_three_sessions_are_held(history):
    # A session without a score counts as held but moves neither the baseline nor the latest score.
    scored = [s for s in history if s is not None]
    judged, compact = course_rules.judge_response(history), course_rules.judge_response(scored)
    assert (judged.baseline, judged.latest, judged.reduction_pct) == (compact.baseline, compact.latest, compact.reduction_pct)
    if len(scored) >= course_rules.JUDGE_FROM_SESSION:
        assert judged.response is compact.response


@FAST
@given(st.lists(pain, min_size=3, max_size=12), st.integers(1, 10))
def test_less_pain_at_the_end_never_judges_worse(history, drop):
    order = [Response.NOT_RESPONDING, Response.RESPONDING, Response.SUBSTANTIAL]
    before = course_rules.judge_response(history)
    better = course_rules.judge_response(history[:-1] + [max(0, history[-1] - drop)])
    assume(before.response in order and better.response in order)
    assert order.index(better.response) >= order.index(before.response)


@FAST
@given(st.one_of(st.none(), days), st.integers(1, 365), st.one_of(st.none(), days))
def test_next_due_is_last_session_plus_interval(last, interval, start):
    due = course_rules.next_due(last, interval, start)
    if last is None:
        assert due == start
    else:
        assert due == last + timedelta(days=interval) and due > last


@FAST
@given(days, st.one_of(st.none(), days), st.one_of(st.none(), days), st.integers(0, 60), st.integers(0, 52))
def test_due_status_is_one_clear_answer(today, due, scheduled, done, planned):
    status = course_rules.due_status(today=today, due=due, scheduled_on=scheduled, sessions_done=done,
                                     planned_sessions=planned)
    assert present.due_label(status) and status.tone
    if planned and done >= planned:
        assert status is DueStatus.COMPLETE
    elif scheduled is not None:
        assert status is DueStatus.SCHEDULED
    elif due is None or done == 0:
        assert status is DueStatus.NOT_SCHEDULED
    elif due < today:
        assert status is DueStatus.OVERDUE
    elif due <= today + timedelta(days=course_rules.DUE_SOON_DAYS):
        assert status is DueStatus.DUE
    else:
        assert status is DueStatus.UPCOMING


# --- referral/drawings.py ---------------------------------------------------------------------

place_sets = st.frozensets(st.sampled_from(PLACES), max_size=30)


@FAST
@given(place_sets, place_sets)
def test_extent_is_a_share_of_the_body_map(first, second):
    assert 0 <= drawings.extent(first) <= 1
    assert drawings.extent(list(first) * 2) == drawings.extent(first), "a place marked twice counts once"
    assert drawings.extent(first | second) >= drawings.extent(first)
    assert drawings.extent(PLACES) == 1 and drawings.extent([]) == 0


@FAST
@given(place_sets, place_sets)
def test_jaccard_is_a_symmetric_similarity(first, second):
    similarity = drawings.jaccard(first, second)
    if not first and not second:
        assert similarity is None
        return
    assert 0 <= similarity <= 1
    assert similarity == drawings.jaccard(second, first)
    assert drawings.jaccard(first, first) == (1 if first else None)
    if not first & second:
        assert similarity == 0
    if first == second:
        assert similarity == 1


marks = st.dictionaries(st.sampled_from(PLACES), st.one_of(st.none(), pain), max_size=15)

@FAST
@given(marks, st.sampled_from([" ", ",", ", ", " ,", "\n", "\t"]))
def test_parse_marks_reads_what_the_body_map_writes(wanted, separator):
    items = [f"{place}@{level}" if level is not None else str(place) for place, level in wanted.items()]
    text = separator.join(items)
    parsed = drawings.parse_marks(text)
    assert parsed == sorted((place, 5 if level is None else level) for place, level in wanted.items())
    assert [place for place, _ in parsed] == sorted(set(place for place, _ in parsed))


@FAST
@given(st.sampled_from(PLACES), st.one_of(st.integers(11, 10**6), st.integers(-100, -1).map(str),
                                         st.text("abc.", min_size=1, max_size=4)))
def test_parse_marks_refuses_intensities_outside_0_to_10(place, level):
    with pytest.raises(vocabulary.VocabularyError):
        drawings.parse_marks(f"{place}@{level}")


@FAST
@given(junk)
def test_parse_marks_on_any_text_answers_or_explains(text):
    try:
        parsed = drawings.parse_marks(text)
    except vocabulary.VocabularyError as error:
        assert str(error)
    else:
        assert all(0 <= level <= 10 for _, level in parsed)


# --- gaps in the anatomy, safety, patients and portal rules --------------------------------------

@FAST
@given(st.sampled_from(PLACES), st.sampled_from(["", " ", "\t"]))
def test_a_place_reads_back_from_its_own_notation(place, padding):
    assert vocabulary.parse_place(padding + str(place) + padding) == place
    assert vocabulary.parse_place(str(place).replace("left", "LEFT").replace("right", "Right")) == place


@FAST
@given(junk)
def test_parse_place_answers_or_explains(text):
    try:
        found = vocabulary.parse_place(text)
    except vocabulary.VocabularyError as error:
        assert str(error)
    else:
        assert found in PLACES


@FAST
@given(st.sampled_from(MUSCLES), st.sampled_from([None, "left", "right", "LEFT"]))
def test_parse_site_reads_muscle_and_side(muscle, side):
    from safety.facts import parse_site

    text = f"{muscle}:{side}" if side else muscle
    assert parse_site(f" {text} ") == (muscle, side.lower() if side else None)


@FAST
@given(junk)
def test_parse_site_answers_or_raises_a_value_error(text):
    from safety.facts import parse_site

    try:
        muscle, side = parse_site(text)
    except ValueError as error:  # VocabularyError is a ValueError
        assert str(error)
    else:
        assert muscle in MUSCLES and side in {None, "left", "right"}


@FAST
@given(st.one_of(junk, st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(),
                 st.decimals(allow_nan=True, allow_infinity=True)))
def test_to_decimal_is_exact_or_explains(value):
    from safety.facts import to_decimal

    try:
        number = to_decimal(value, "volume")
    except ValueError as error:
        assert "volume" in str(error)
    else:
        assert isinstance(number, Decimal) and number.is_finite()
        if isinstance(value, float):
            assert number == Decimal(str(value))


@FAST
@given(st.lists(st.tuples(st.sampled_from(MUSCLES[:20]), st.sampled_from([None, "left", "right"])), max_size=8))
def test_normalise_sites_accepts_pairs_and_strings_alike(sites):
    from safety.payer import normalise_sites

    as_strings = [f"{m}:{s}" if s else m for m, s in sites]
    assert normalise_sites(sites) == normalise_sites(as_strings) == frozenset(sites)


@FAST
@given(junk)
def test_icd_normalising_is_idempotent_and_checking_never_raises(text):
    from safety.coding import check_diagnosis, normalise_icd

    code = normalise_icd(text)
    if code is not None:
        assert normalise_icd(code) == code and code == code.upper()
    result = check_diagnosis(text)
    assert present.diagnosis_message(result)
    if result.ok:
        assert result.code == code


@FAST
@given(st.lists(st.sampled_from(MUSCLES), max_size=10))
def test_diagnosis_suggestions_cover_every_muscle_once(muscles):
    from safety.coding import suggest_diagnosis

    suggestions = suggest_diagnosis(muscles)
    covered = [m for s in suggestions for m in s.muscles]
    assert sorted(set(covered)) == sorted(set(muscles))
    assert len({s.code for s in suggestions}) == len(suggestions)
    assert all(s.code in {"M79.11", "M79.12", "M79.18"} for s in suggestions)


@FAST
@given(st.integers(0, 10**6), st.integers(0, 10**7))
def test_rates_per_thousand(events, injections):
    from safety.reports import per_thousand

    rate = per_thousand(events, injections)
    if injections == 0:
        assert rate is None
    else:
        assert rate == pytest.approx(events * 1000 / injections, abs=0.006)


@FAST
@given(st.one_of(junk, st.sampled_from(["es-MX", "ar-EG", "EN", "pt-BR", ""])))
def test_the_consent_form_is_always_one_the_clinic_has(tag):
    from safety.consent import form_for, languages

    form = form_for(tag)
    assert form.language in languages()
    if tag.strip() in languages():
        assert form.language == tag.strip()


@FAST
@given(junk)
def test_language_tags_are_accepted_or_refused_with_a_message(text):
    from patients.validators import validate_language_tag

    try:
        validate_language_tag(text)
    except ValidationError as error:
        assert error.messages
    else:
        assert 2 <= len(text.split("-")[0]) <= 3


@FAST
@given(st.text(max_size=300))
def test_calendar_text_is_escaped_and_folded_within_75_octets(text):
    from scheduling.ics import escape_text, fold

    escaped = escape_text(text)
    assert "\n" not in escaped and "\r" not in escaped
    line = fold("DESCRIPTION:" + escaped)
    physical = line.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert "".join([physical[0]] + [part[1:] for part in physical[1:]]) == "DESCRIPTION:" + escaped


@FAST
@given(marks, pain)
def test_diary_regions_take_the_days_score_unless_given(wanted, day_pain):
    from portal.diary import read_regions

    text = " ".join(f"{place}@{level}" if level is not None else str(place) for place, level in wanted.items())
    read = {item["place"]: item["intensity"] for item in read_regions(text, day_pain)}
    assert read == {str(place): (day_pain if level is None else level) for place, level in wanted.items()}
