"""The ranker learns from the clinic's confirmed trigger points (issue 17)."""
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anatomy.vocabulary import Place
from charting.models import TriggerPoint
from referral import learning
from referral.evaluation import evaluate_learning
from referral.models import LearnedModel, PainDrawing
from referral.ranking import EPSILON, P_ESSENTIAL, assess, explain, rank
from referral.tasks import clinic_examples, learn_from_clinic
from treatment.models import Course, Injection, Session

L, R = "left", "right"
TEMPLE, CHEEK, NECK = Place("head.temple", L), Place("face.cheek", L), Place("neck.side", L)
DRAWINGS = [
    ["head.temple:left", "neck.side:left"],
    ["back.lumbar:right", "buttock.upper:right"],
    ["shoulder.front:left"],
    ["foot.heel:left", "ankle.back:left"],
    ["head.temple:left", "face.cheek:left", "neck.angle:left"],
]


def trapezius_examples(count: int, places=(TEMPLE, CHEEK), side=L) -> list[learning.Example]:
    return [learning.Example(frozenset(places), "upper-trapezius", side) for _ in range(count)]


@pytest.mark.parametrize("drawing", DRAWINGS)
def test_no_examples_give_exactly_the_textbook_ranking(drawing):
    textbook = [c.to_dict() for c in rank(drawing)]
    empty = learning.learn([])
    assert [c.to_dict() for c in rank(drawing, model=empty)] == textbook
    # Examples of another muscle leave this ranking's other muscles at the textbook too.
    assert learning.learn([]).posterior("upper-trapezius", "head.temple:same", P_ESSENTIAL) == P_ESSENTIAL


def test_many_consistent_examples_move_a_zone_towards_the_observed_rate_monotonically():
    # Upper trapezius patients who never mark the side of the neck (textbook: essential, 0.6).
    probabilities = []
    for n in (0, 1, 5, 20, 80, 320, 1280):
        model = learning.learn(trapezius_examples(n, places=(TEMPLE,)))
        probabilities.append(model.posterior("upper-trapezius", "neck.side:same", P_ESSENTIAL))
    assert probabilities[0] == P_ESSENTIAL
    assert all(a > b for a, b in zip(probabilities, probabilities[1:]))  # strictly towards 0 with the count
    assert all(0 < p <= P_ESSENTIAL for p in probabilities)  # bounded by the rate (0) and the prior
    assert probabilities[-1] < 0.01
    # Half of them marking it: the posterior goes from the prior to 0.5, never past it.
    half = [learning.learn(trapezius_examples(n, places=(TEMPLE, NECK)) + trapezius_examples(n, places=(TEMPLE,)))
            .posterior("upper-trapezius", "neck.side:same", P_ESSENTIAL) for n in (5, 50, 500)]
    assert P_ESSENTIAL > half[0] > half[1] > half[2] > 0.5


def test_the_update_rule_is_the_beta_posterior_mean():
    model = learning.learn(trapezius_examples(40) + trapezius_examples(10, places=(NECK,)))
    a = P_ESSENTIAL * learning.PRIOR_STRENGTH
    assert model.posterior("upper-trapezius", "head.temple:same", P_ESSENTIAL) == pytest.approx(
        (a + 40) / (learning.PRIOR_STRENGTH + 50))


def test_left_and_right_examples_pool_by_side_relative_zone():
    left = learning.learn(trapezius_examples(10))
    right = learning.learn(trapezius_examples(10, places=(Place("head.temple", R), Place("face.cheek", R)), side=R))
    assert left == right and left.version == right.version


def test_a_few_examples_keep_a_muscle_near_the_textbook():
    model = learning.learn(trapezius_examples(3, places=(NECK,)))
    assert model.posterior("upper-trapezius", "head.temple:same", P_ESSENTIAL) > 0.5
    assert Place("face.cheek", L) not in model.probabilities("upper-trapezius", L, {})


def test_a_learned_extra_zone_helps_rank_the_muscle():
    drawing = ["face.cheek:left", "neck.angle:left"]
    before = explain(drawing, "upper-trapezius", L)
    model = learning.learn(trapezius_examples(60, places=(TEMPLE, CHEEK, Place("neck.angle", L))))
    after = explain(drawing, "upper-trapezius", L, model=model)
    assert CHEEK in before.unexplained and CHEEK in after.explained_learned
    assert after.rank < before.rank and after.score > before.score
    assert rank(drawing, top=1, model=model)[0].muscle == "upper-trapezius"
    said = {e.place: e for e in after.clinic_evidence}
    assert (said[CHEEK].marked, said[CHEEK].examples, said[CHEEK].prior) == (60, 60, EPSILON)


def test_the_assessment_says_which_model_ranked():
    model = learning.learn(trapezius_examples(40))
    assert assess(["head.temple:left"]).model == "textbook"
    clinic = assess(["head.temple:left"], model=model)
    assert (clinic.model, clinic.model_version, clinic.model_examples) == ("clinic", model.version, 40)


@pytest.mark.parametrize("line, message", [
    ("not json", "line 2: not JSON"),
    ('{"drawing": [], "confirmed": ["upper-trapezius:left"]}', "line 2: \"drawing\" must be"),
    ('{"drawing": ["head.nowhere:left"], "confirmed": ["upper-trapezius:left"]}', "line 2: 'head.nowhere:left'"),
    ('{"drawing": ["head.temple:left@11"], "confirmed": ["upper-trapezius:left"]}', "line 2: 'head.temple:left@11'"),
    ('{"drawing": ["head.temple:left"], "confirmed": ["upper-trapezius"]}', "line 2: a confirmed trigger point"),
    ('{"drawing": ["head.temple:left"], "confirmed": ["no-such-muscle:left"]}', "line 2: Unknown muscle"),
    ('{"drawing": ["head.temple:left"], "confirmed": ["upper-trapezius:left"], "weight": 2}', "line 2: \"weight\""),
    ('{"drawing": ["head.temple:left"], "confirmed": ["upper-trapezius:left"], "patient": "P1"}', "line 2: expected"),
])
def test_the_file_reader_refuses_a_bad_line_and_names_it(line, message):
    good = '{"drawing": ["head.temple:left", "neck.angle:left@7"], "confirmed": ["upper-trapezius:left"]}'
    with pytest.raises(learning.ExampleError) as raised:
        learning.read_examples([good, line])
    assert str(raised.value).startswith(message)


def test_the_stored_counts_name_no_patient():
    examples = learning.read_examples(['{"drawing": ["head.temple:left"], "confirmed": ["upper-trapezius:left"]}'] * 3)
    stored = learning.learn(examples).to_dict()
    assert set(stored) == {"format", "knowledge_base", "prior_strength", "muscles"}
    assert stored["muscles"] == {"upper-trapezius": {"examples": 3, "weight": 3.0, "marked": {"head.temple:same": [3, 3.0]}}}
    assert learning.ClinicModel.from_dict(json.loads(json.dumps(stored))) == learning.learn(examples)


def test_the_synthetic_clinic_learns_towards_the_oracle_and_keeps_the_vignettes():
    report = evaluate_learning(curve=(0, 100), held_out=3)
    assert report.curve[0][1] == report.textbook
    assert report.textbook < report.learned <= report.oracle + 0.02
    assert report.vignettes_learned >= report.vignettes_textbook - 0.01


# The clinic's records, the command and the task.

def _course(patient, clinician, pains, muscle="upper-trapezius", side=L, drawn_days_before=2):
    start = timezone.localdate() - timedelta(days=60)
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, started_on=start)
    point = TriggerPoint.objects.create(patient=patient, muscle=muscle, side=side, region="neck.angle", region_side=side,
                                        view="back", map_x=1, map_y=1, found_on=start)
    PainDrawing.objects.create(patient=patient, drawn_on=start - timedelta(days=drawn_days_before),
                               marks=[{"place": "head.temple:left", "intensity": 7}, {"place": "face.cheek:left"}])
    for number, pain in enumerate(pains):
        session = Session.objects.create(course=course, clinician=clinician, pain_before=pain, pain_after=pain,
                                         status="signed", signed_by=clinician, signed_at=timezone.now(),
                                         performed_at=timezone.now() - timedelta(days=50 - 14 * number))
        Injection.objects.create(session=session, trigger_point=point)
    return course


@pytest.mark.django_db
def test_examples_come_from_responding_courses_only(patient, clinician):
    _course(patient, clinician, [8, 6, 4])  # 50% less pain by the third session: responding
    examples = clinic_examples()
    assert [(e.muscle, e.side, e.weight) for e in examples] == [("upper-trapezius", L, 0.5)]
    assert examples[0].places == {TEMPLE, CHEEK}


@pytest.mark.django_db
@pytest.mark.parametrize("pains, days_before", [([8, 8, 7], 2), ([8, 4], 2), ([8, 6, 4], 90)])
def test_no_example_without_response_or_without_a_drawing_in_the_course(patient, clinician, pains, days_before):
    # Not responding; too early to judge (two sessions); a drawing from long before the course.
    _course(patient, clinician, pains, drawn_days_before=days_before)
    assert clinic_examples() == []


@pytest.mark.django_db
def test_the_task_stores_counts_only_and_the_page_model_reads_them(patient, clinician):
    _course(patient, clinician, [8, 6, 4])
    result = learn_from_clinic.call()
    row = LearnedModel.objects.get()
    assert result == {"version": row.version, "examples": 1}
    text = json.dumps(row.counts)
    for identifier in (patient.mrn, patient.family_name, patient.given_name, str(patient.birth_date)):
        assert identifier not in text
    assert LearnedModel.current() == learning.learn(clinic_examples())


@pytest.mark.django_db
def test_the_command_round_trips_a_pooled_file(tmp_path):
    lines = [{"drawing": ["head.temple:left", "face.cheek:left", "neck.angle:left@7"], "confirmed": ["upper-trapezius:left"]}] * 30
    source = tmp_path / "pooled.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = StringIO()
    call_command("referral_learn", "--from", str(source), "--json", stdout=out)
    stored = json.loads(out.getvalue())
    assert stored == learning.learn(learning.read_examples(source.read_text().splitlines())).to_dict()
    assert LearnedModel.current() == learning.ClinicModel.from_dict(stored)

    ranked = StringIO()
    call_command("refer", "--model", "clinic", "face.cheek:left", "neck.angle:left", stdout=ranked)
    text = ranked.getvalue()
    assert "Model: this clinic's learned patterns" in text
    assert "in this clinic, 30 of 30 confirmed trapezius (upper fibres) patients marked" in text
    textbook = StringIO()
    call_command("refer", "face.cheek:left", "neck.angle:left", stdout=textbook)
    assert "Model: textbook patterns." in textbook.getvalue()


@pytest.mark.django_db
def test_a_bad_pooled_file_stores_nothing(tmp_path):
    source = tmp_path / "pooled.jsonl"
    source.write_text('{"drawing": ["head.temple:left"], "confirmed": ["upper-trapezius:left"]}\n{"drawing": 1}\n')
    with pytest.raises(CommandError, match="line 2"):
        call_command("referral_learn", "--from", str(source))
    assert not LearnedModel.objects.exists()


@pytest.mark.django_db
def test_refer_with_the_clinic_model_needs_one():
    with pytest.raises(CommandError, match="referral_learn"):
        call_command("refer", "--model", "clinic", "head.temple:left")


@pytest.mark.django_db
def test_the_nightly_run_queues_itself_once(task_worker):
    out = StringIO()
    call_command("referral_learn", "--nightly", stdout=out)
    call_command("referral_learn", "--nightly", stdout=out)
    assert "already queued" in out.getvalue()
    assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("choice, shown", [("textbook", "Ranked with the textbook patterns."),
                                           ("clinic", "Ranked with this clinic's learned patterns")])
def test_the_page_shows_which_model_ranked(clinician_client, patient, settings, choice, shown):
    LearnedModel.store(learning.learn(trapezius_examples(40)), source="file")
    settings.REFERRAL_MODEL = choice
    response = clinician_client.post(reverse("referral:rank", args=[patient.pk]), {"regions": "head.temple:left"})
    assert response.status_code == 200
    assert shown in response.content.decode()
