"""Course verdicts are worded by the one presenter (safety/present.py) in every language the clinic offers."""
import dataclasses

import pytest
from django.template import Context, Template
from django.utils import translation

from safety import present
from treatment import course_rules
from treatment.course_rules import judge_response

LANGUAGES = ("es", "ar")

WORDING = {
    "en": ("No pain to reduce", "there was no pain to reduce"),
    "es": ("Sin dolor que reducir", "no había dolor que reducir"),
    "ar": ("لا يوجد ألم لتخفيفه", "لم يكن هناك ألم لتخفيفه"),
}


@pytest.mark.parametrize("lang", WORDING)
def test_no_pain_status_is_translated(lang):
    judgement = judge_response([0, None, 0])
    template = Template("{% load course_labels %}{{ j.response|response_label }} | {% response_explanation j %}")
    with translation.override(lang):
        text = template.render(Context({"j": judgement}))
    label, explanation = WORDING[lang]
    assert label in text and explanation in text


def test_course_rules_return_values_not_prose():
    """The rule gives the verdict and its numbers; a label or explanation would be a second wording."""
    names = {f.name for f in dataclasses.fields(course_rules.ResponseJudgement)}
    assert names == {"response", "sessions", "baseline", "latest", "reduction_pct", "judge_from"}
    for enum in (course_rules.Response, course_rules.DueStatus):
        assert not hasattr(enum, "label")
        assert set(enum._value2member_map_) <= set(present.RESPONSE_LABELS) | set(present.DUE_LABELS)


def test_course_verdicts_are_worded_in_every_language():
    judgements = [course_rules.judge_response(scores) for scores in
                  ([], [0, 0, 0], [8], [8, 6], [8, 6, 3], [8, 7, 7], [8, 8, 5])]
    for lang in LANGUAGES:
        for judgement in judgements:
            english = present.english(present.response_explanation, judgement)
            with translation.override(lang):
                assert present.response_explanation(judgement) != english
                assert present.response_label(judgement.response) != present.english(
                    present.response_label, judgement.response)
        for status in course_rules.DueStatus:
            with translation.override(lang):
                assert present.due_label(status) != present.english(present.due_label, status)
