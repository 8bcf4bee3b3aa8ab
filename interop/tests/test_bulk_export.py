"""`tpclinic fhir_export`: NDJSON per type with a Bulk Data manifest, progress on stderr, flat query count."""
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interop import fhir_export
from interop.models import Installation
from patients.models import Patient

pytestmark = pytest.mark.django_db


def test_manifest_files_and_progress(clinic, tmp_path, capsys):
    call_command("fhir_export", "--out", str(tmp_path))
    out, err = capsys.readouterr()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert out.strip() == str(tmp_path / "manifest.json")
    assert manifest["requiresAccessToken"] is False and manifest["error"] == []
    assert manifest["transactionTime"]
    for item in manifest["output"]:
        lines = (tmp_path / item["url"]).read_text().splitlines()
        assert len(lines) == item["count"] > 0
        assert all(json.loads(line)["resourceType"] == item["type"] for line in lines)
    counts = {item["type"]: item["count"] for item in manifest["output"]}
    assert counts["Patient"] == 2 and counts["Procedure"] == 2  # drafts included in the full export
    assert "Patient: writing" in err and "Done:" in err


def test_signed_only_and_refusing_a_used_directory(clinic, tmp_path, capsys):
    call_command("fhir_export", "--out", str(tmp_path), "--signed-only")
    counts = {i["type"]: i["count"] for i in json.loads((tmp_path / "manifest.json").read_text())["output"]}
    assert counts["Procedure"] == 1
    with pytest.raises(CommandError, match="empty directory"):
        call_command("fhir_export", "--out", str(tmp_path))


def _add_patients(count, clinician, start):
    from charting.models import TriggerPoint
    from treatment.models import Course, Injection, Session

    for n in range(start, start + count):
        patient = Patient.objects.create(mrn=f"B{n}", given_name="Bulk", family_name=f"P{n}",
                                         birth_date=date(1960, 1, 1), weight_kg=70, copd=True, payer_name="Plan")
        patient.allergies.create(substance="Latex")
        point = TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="left", region="neck.angle",
                                            region_side="left", view="back", map_x=1, map_y=1,
                                            found_on=timezone.localdate())
        course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14)
        session = Session.objects.create(course=course, clinician=clinician, pain_before=5, pain_after=2,
                                         status="signed", signed_by=clinician, signed_at=timezone.now(),
                                         performed_at=timezone.now() - timedelta(days=1))
        Injection.objects.create(session=session, trigger_point=point)
        _add_safety_and_diary(patient, session, clinician)


def _add_safety_and_diary(patient, session, clinician):
    from audit.models import Amendment
    from portal.models import DiaryEntry
    from referral.models import PainDrawing
    from safety.models import AdverseEvent, ConsentRecord

    ConsentRecord.objects.create(session=session, form_version="v1", language="en", recorded_by=clinician)
    AdverseEvent.objects.create(session=session, injection=session.injections.first(), kind="flare",
                                onset_at=timezone.now(), severity="mild", action="Ice", recorded_by=clinician)
    drawing = PainDrawing.objects.create(patient=patient, marks=[{"place": "neck.angle:left", "intensity": 5}],
                                         recorded_by=clinician)
    DiaryEntry.objects.create(patient=patient, day=timezone.localdate(), pain=3, drawing=drawing)
    Amendment.objects.create(record=session, patient=patient, reason="Typo", text="Left, not right.", author=clinician)


def _queries_for_whole_clinic() -> int:
    scope = fhir_export.Scope(Patient.objects.all(), include_drafts=True, whole_clinic=True,
                              source=Installation.source_uri())
    with CaptureQueriesContext(connection) as queries:
        total = sum(1 for _ in fhir_export.iter_resources(scope))
    assert total > 0
    return len(queries)


def test_query_count_does_not_grow_with_the_clinic(clinic, clinician):
    _add_patients(3, clinician, 0)
    small = _queries_for_whole_clinic()
    _add_patients(30, clinician, 100)
    large = _queries_for_whole_clinic()
    assert large - small <= 3, (small, large)
