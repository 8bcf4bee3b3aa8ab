"""Superbill modifiers come from treatment/data/modifiers.toml: an example table of the rule, the data
changing the answer, and the superbill of a session that bills a separate E/M."""
from decimal import Decimal

import pytest
from django.urls import reverse

from treatment import superbill
from treatment.models import Injection, Session
from treatment.tests.helpers import session_post


@pytest.mark.parametrize("kind, procedures, expected", [
    ("em", ["20552"], ("25",)),         # E/M beside a minor procedure (0-day global)
    ("em", ["20553"], ("25",)),
    ("em", [], ()),                     # no procedure billed: a plain visit, no modifier
    ("em", ["20560"], ()),              # dry needling: no global period on file, the office decides
    ("procedure", ["20552"], ()),       # the TPI line itself takes none (one code per session)
    ("drug", ["20552"], ()),
])
def test_modifier_rules(kind, procedures, expected):
    assert superbill.modifiers_for(kind, procedures) == expected


def test_the_rule_reads_the_global_days_from_the_data_file():
    rules = superbill.modifier_rules()
    longer = {**rules, "global_days": {**rules["global_days"], "20552": 90}}  # a major procedure: no 25
    assert superbill.modifiers_for("em", ["20552"], longer) == ()
    assert superbill.modifiers_for("em", ["20552"], rules) == ("25",)


def test_the_superbill_bills_the_separate_em_with_modifier_25(patient, clinician, course, trigger_points):
    session = Session.objects.create(course=course, clinician=clinician, cpt_codes="20552", em_code="99213",
                                     status=Session.Status.SIGNED)
    Injection.objects.create(session=session, trigger_point=trigger_points[0], volume_ml=Decimal("1"))
    lines = superbill.for_session(session).lines
    assert [(line.code, line.modifiers) for line in lines if line.kind == "procedure"] == [("99213", "25"),
                                                                                          ("20552", "")]
    assert '99213,"Evaluation and management, office or outpatient",1,25' in superbill.as_csv(superbill.for_session(session))


def test_an_em_code_outside_the_list_is_refused_and_nothing_saved(clinician_client, course, trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician)
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     session_post(session, trigger_points, em_code="20552"))
    assert response.status_code == 200
    assert "Enter an office or outpatient E/M code" in response.content.decode()
    assert not session.injections.exists()
