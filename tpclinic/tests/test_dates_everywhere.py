"""A date is written one way for a reader: the consent form (page and PDF), the course page, the
worklist and the portal all print it with tpclinic.dates, never as 2025-11-11."""
from datetime import date, datetime, time
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from safety import consent as consent_text
from safety.models import ConsentRecord
from tpclinic import dates
from treatment.models import Course, Session

pytestmark = pytest.mark.django_db

DAY = date(2025, 11, 11)
WRITTEN = {"en": "Nov. 11, 2025", "es": "11 de noviembre de 2025"}


@pytest.fixture
def records(patient, clinician, django_user_model):
    """One day for every date shown, so each page can be compared with the others: the patient's
    birth date, the course's start and a signed session."""
    patient.birth_date = DAY
    patient.user = django_user_model.objects.create_user("maria", password="correct-horse-battery")
    patient.save()
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, started_on=DAY,
                                   diagnosis_code="M79.12")
    Session.objects.create(course=course, clinician=clinician, status=Session.Status.SIGNED,
                           performed_at=timezone.make_aware(datetime.combine(DAY, time(10, 0))))
    draft = Session.objects.create(course=course, clinician=clinician, performed_at=timezone.now())
    return course, draft


def staff_and_patient_reading(lang, patient, clinician):
    patient.preferred_language = lang
    patient.save()
    clinician.staff_profile.language = lang
    clinician.staff_profile.save()
    staff, own = Client(), Client()
    staff.force_login(clinician)
    own.force_login(patient.user)
    return staff, own


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_same_date_reads_the_same_on_consent_course_worklist_and_portal(lang, records, patient, clinician):
    course, draft = records
    staff, own = staff_and_patient_reading(lang, patient, clinician)
    pages = {
        "consent": staff.get(reverse("safety:consent", args=[draft.pk])),
        "course": staff.get(reverse("treatment:course", args=[course.pk])),
        "portal consent": own.get(reverse("portal:consent", args=[draft.pk])),
        "portal visits": own.get(reverse("portal:visits")),
    }
    for name, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert WRITTEN[lang] in body, name
        assert DAY.isoformat() not in body, name
    worklist = staff.get(reverse("treatment:worklist")).content.decode()
    with translation.override(lang):
        today = dates.long_date(timezone.localdate())
    assert today in worklist and timezone.localdate().isoformat() not in worklist


def test_the_consent_pdf_writes_dates_in_the_forms_language(records, patient, clinician):
    """The staff member reads English, the form is Spanish: the whole document is Spanish."""
    course, draft = records
    staff, _ = staff_and_patient_reading("es", patient, clinician)
    clinician.staff_profile.language = "en"
    clinician.staff_profile.save()
    text = consent_text.form_for("es")
    record = ConsentRecord.objects.create(session=draft, recorded_by=clinician, language="es",
                                          form_version=text.version, flags=[])
    pdf = staff.get(reverse("safety:consent_pdf", args=[record.pk]))
    words = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert WRITTEN["es"] in words and WRITTEN["en"] not in words
    assert DAY.isoformat() not in words


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_refused_edit_names_a_changed_date_as_the_reader_writes_it(language):
    """The "changed since you read it" message lists what changed; a date in it is the reader's date."""
    from tpclinic.versioning import shown

    with translation.override(language):
        assert shown(DAY) == WRITTEN[language]
        moment = timezone.make_aware(datetime.combine(DAY, time(9, 30)))
        assert shown(moment) == dates.date_time(moment) and "2025-11-11" not in shown(moment)
