"""The "no pain to reduce" status is worded in every language the clinic offers."""
import pytest
from django.template import Context, Template
from django.utils import translation

from treatment.course_rules import judge_response

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
