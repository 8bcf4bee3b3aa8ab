"""The project catalog (locale/es, locale/ar) is complete, and pages come out in Spanish and Arabic.

The .po files are read by hand (no extra dependency): every entry has a translation, none is fuzzy,
plural entries have every form the language needs, and the header names the language, team,
plural rule and UTF-8.
"""
import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

LOCALE_DIR = Path(__file__).resolve().parent.parent.parent / "locale"
LANGUAGES = {"es": 2, "ar": 6}  # number of plural forms
ARABIC = re.compile(r"[\u0600-\u06FF]")


def read_po(path: Path) -> tuple[list[str], list[dict]]:
    """(header comment lines, entries); an entry maps msgctxt/msgid/msgid_plural/msgstr/msgstr[N]
    to its text, plus "flags" (a set)."""
    comments, entries, entry, key = [], [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            entry, key = None, None
            continue
        if line.startswith("#~"):
            raise AssertionError(f"{path}: obsolete entry left in the file: {line}")
        if line.startswith("#"):
            if not entries and entry is None:
                comments.append(line)
            if line.startswith("#,"):
                if entry is None:
                    entry = {"flags": set()}
                    entries.append(entry)
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
        assert match, f"{path}: cannot read {line!r}"
        if entry is None or (match.group(1) in {"msgid", "msgctxt"} and "msgid" in entry):
            entry = {"flags": set()}
            entries.append(entry)
        key = match.group(1)
        entry[key] = ast.literal_eval(match.group(2))
    return comments, entries


@pytest.fixture(scope="module", params=sorted(LANGUAGES))
def catalog(request):
    lang = request.param
    comments, entries = read_po(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po")
    header = next(e for e in entries if e["msgid"] == "" and "msgctxt" not in e)
    messages = [e for e in entries if e is not header]
    return lang, comments, header, messages


def test_catalog_exists_for_every_language():
    for lang in LANGUAGES:
        assert (LOCALE_DIR / lang / "LC_MESSAGES" / "django.po").is_file(), lang


def test_header_names_language_team_plural_forms_and_utf8(catalog):
    lang, comments, header, _ = catalog
    fields = dict(line.split(": ", 1) for line in header["msgstr"].splitlines() if ": " in line)
    assert fields["Language"] == lang
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Language-Team"].strip()
    assert f"nplurals={LANGUAGES[lang]};" in fields["Plural-Forms"]
    if lang == "ar":
        assert fields["Plural-Forms"].startswith(
            "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
            "n%100>=11 && n%100<=99 ? 4 : 5;")
    assert "fuzzy" not in header["flags"]
    text = "\n".join(comments)
    assert "draft — pending clinical review" in text and "Reviewer:" in text and "2026-11-28" in text


def test_every_message_is_translated_and_none_is_fuzzy(catalog):
    lang, _, _, messages = catalog
    assert len(messages) > 400
    fuzzy = [m["msgid"] for m in messages if "fuzzy" in m["flags"]]
    assert not fuzzy, f"{lang}: fuzzy entries: {fuzzy[:5]}"
    untranslated = []
    for message in messages:
        if "msgid_plural" in message:
            forms = [message.get(f"msgstr[{i}]", "") for i in range(LANGUAGES[lang])]
            if not all(forms) or f"msgstr[{LANGUAGES[lang]}]" in message:
                untranslated.append(message["msgid"])
        elif not message.get("msgstr"):
            untranslated.append(message["msgid"])
    assert not untranslated, f"{lang}: untranslated: {untranslated[:5]}"


def test_placeholders_survive_translation(catalog):
    """Every %(name)s of the msgid is in the translation (plural forms may drop the count)."""
    lang, _, _, messages = catalog
    named = re.compile(r"%\(\w+\)[sdif]|%\(\w+\)\.\d+f")
    for message in messages:
        wanted = set(named.findall(message["msgid"]))
        if "msgid_plural" in message:
            found = set()
            for i in range(LANGUAGES[lang]):
                found |= set(named.findall(message[f"msgstr[{i}]"]))
            assert found == wanted | set(named.findall(message["msgid_plural"])), message["msgid"]
        else:
            assert set(named.findall(message["msgstr"])) == wanted, message["msgid"]
        if "SECONDS" in message["msgid"]:
            assert all("SECONDS" in value for key, value in message.items() if key.startswith("msgstr")), lang


def test_arabic_translations_are_in_arabic():
    _, entries = read_po(LOCALE_DIR / "ar" / "LC_MESSAGES" / "django.po")
    latin_only = [e["msgid"] for e in entries if e["msgid"] and "msgstr" in e and not ARABIC.search(e["msgstr"])]
    # Codes, product names and units stay as they are.
    assert set(latin_only) <= {"CPT", "Download CSV", "CPT: %(cpt)s", "ICD-10-CM: %(code)s", "PDF"}, latin_only


# ------------------------------------------------------------------------------------ pages
@pytest.mark.django_db
def test_login_page_in_spanish(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es" dir="ltr">' in body
    assert "Iniciar sesión" in body and "Contraseña" in body and "Nombre de usuario" in body
    assert "Password" not in body


@pytest.mark.django_db
def test_login_page_in_arabic_is_right_to_left(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "تسجيل الدخول" in body and "كلمة المرور" in body


@pytest.fixture
def charted_patient(patient, clinician):
    from datetime import date, timedelta

    from django.utils import timezone

    from charting.models import TriggerPoint
    from treatment.models import Course, Session

    TriggerPoint.objects.create(
        patient=patient, muscle="upper-trapezius", side="left", region="neck.angle", region_side="left",
        view="back", map_x=100, map_y=100, found_on=date(2026, 11, 1),
    )
    course = Course.objects.create(patient=patient, clinician=clinician, diagnosis_code="M79.18",
                                   interval_days=14, planned_sessions=4, started_on=date(2026, 11, 1))
    Session.objects.create(course=course, clinician=clinician, performed_at=timezone.now() - timedelta(days=3),
                           pain_before=8, pain_after=3, status=Session.Status.SIGNED)
    course.refresh_schedule()
    return patient


@pytest.mark.django_db
def test_patient_chart_in_spanish(clinician_client, charted_patient):
    url = reverse("patients:chart", args=[charted_patient.pk])
    body = clinician_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Puntos gatillo" in body and "Ciclos de infiltraciones" in body
    assert "Trapecio (fibras superiores), izquierdo" in body           # muscle label (anatomy/data/labels)
    assert "Ángulo del cuello, lado izquierdo" in body                # region label with its side
    assert "Demasiado pronto para valorar" in body                    # course_rules.Response, via course_labels
    assert "1 sesión hasta ahora (basal 8/10, última 8/10" in body    # the explanation, from its numbers
    assert "Trigger points" not in body and "Too early to judge" not in body


@pytest.mark.django_db
def test_patient_chart_in_arabic_is_right_to_left(clinician_client, charted_patient):
    url = reverse("patients:chart", args=[charted_patient.pk])
    body = clinician_client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in body
    assert "نقاط الزناد" in body and "العضلة شبه المنحرفة (الألياف العلوية)" in body
    assert "زاوية الرقبة، الجانب الأيسر" in body
    assert "من المبكر التقييم" in body and "جلسة واحدة حتى الآن" in body


@pytest.mark.django_db
def test_patient_chart_stays_english_by_default(clinician_client, charted_patient):
    body = clinician_client.get(reverse("patients:chart", args=[charted_patient.pk])).content.decode()
    assert "Trigger points" in body and "Trapezius (upper fibres), left" in body
    assert "Angle of neck, left" in body and "Too early to judge" in body
    assert "1 session so far (baseline 8/10, latest 8/10, 0% less pain); response is judged from session 3" in body


def test_course_rule_labels_have_translations_for_every_member():
    """treatment/course_rules.py stays free of Django; the presenter (safety/present.py) words its values."""
    from django.utils import translation

    from safety import present
    from treatment.course_rules import DueStatus, Response
    from treatment.templatetags import course_labels

    assert set(present.RESPONSE_LABELS) == {m.value for m in Response}
    assert set(present.DUE_LABELS) == {m.value for m in DueStatus}
    assert course_labels.response_label(Response.NOT_RESPONDING) == "Not responding: reassess"
    assert course_labels.response_label("not-responding") == "Not responding: reassess"
    assert course_labels.due_label(DueStatus.COMPLETE) == "All planned sessions done"
    with translation.override("es"):
        assert course_labels.response_label(Response.NOT_RESPONDING) == "Sin respuesta: reevaluar"
        assert course_labels.due_label(DueStatus.OVERDUE) == "Atrasado"
    with translation.override("ar"):
        assert ARABIC.search(course_labels.due_label(DueStatus.COMPLETE))
    source = (LOCALE_DIR.parent / "treatment" / "course_rules.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+django", source, re.MULTILINE)
