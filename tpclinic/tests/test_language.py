"""Language once and for all: asked on the first visit, kept a year, the record wins at login,
error pages in the reader's language, every directory language named, one date format per reader."""
from datetime import date, datetime, timezone as dt_timezone

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from conftest import PASSWORD
from directory.languages import language_label
from tpclinic import dates, language

pytestmark = pytest.mark.django_db


def offered(response) -> bool:
    return 'data-auto-open="1"' in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/login/", "/library/", "/specialists/"])
def test_the_first_visit_to_any_public_page_offers_the_dialog(client, path):
    assert offered(client.get(path, follow=True))


def test_the_choice_is_kept_a_year(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/login/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "es" and int(cookie["max-age"]) >= 364 * 24 * 3600
    page = client.get("/login/")
    assert not offered(page) and 'lang="es"' in page.content.decode()


@pytest.fixture
def olga(django_user_model, patient):
    patient.user = django_user_model.objects.create_user("olga", password=PASSWORD, first_name="Olga")
    patient.preferred_language = "es"
    patient.save()
    return patient


def test_at_login_the_record_language_wins_and_is_remembered(client, olga):
    client.cookies["django_language"] = "en"
    response = client.post("/login/", {"username": "olga", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    assert int(response.cookies["django_language"]["max-age"]) >= 364 * 24 * 3600
    page = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="es"' in page.content.decode() and "Hola, Maria" in page.content.decode()


def test_changing_the_language_in_the_header_updates_the_record(client, olga):
    client.force_login(olga.user)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/portal/"})
    olga.refresh_from_db()
    assert olga.preferred_language == "ar"
    assert 'lang="ar" dir="rtl"' in client.get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize("lang, words", [("en", "Page not found"), ("es", "Página no encontrada"),
                                         ("ar", "تعذر العثور على الصفحة")])  # Django's own words win
def test_404_is_localised_with_the_header_and_a_way_back(client, lang, words):
    client.cookies["django_language"] = lang
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and words in body
    assert 'class="site"' in body and 'href="/"' in body


def test_403_is_localised_with_a_way_back(client, clinician):
    client.force_login(clinician)
    client.cookies["django_language"] = "es"
    response = client.get(reverse("portal:home"))
    body = response.content.decode()
    assert response.status_code == 403 and "No permitido" in body and 'href="/"' in body


def test_500_renders_without_context_processors():
    from django.views.defaults import server_error

    with translation.override("es"):
        response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500 and "Algo salió mal" in body and 'href="/"' in body


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_every_directory_language_has_a_name_in_the_readers_language(lang):
    from directory.demo import SPECIALISTS

    tags = {tag for seed in SPECIALISTS for tag in seed.languages.split(",")}
    with translation.override(lang):
        for tag in tags:
            assert language_label(tag) != tag, tag
        twi = language_label("tw")
    assert twi == {"en": "Twi", "es": "Twi (twi)", "ar": "Twi (التوي)"}[lang]


@pytest.mark.parametrize("lang, day, visit", [
    ("en", "Dec. 17, 2026", "Thursday, Dec. 17, 2026 at 9:30 a.m."),
    ("es", "17 de diciembre de 2026", "jueves, 17 de diciembre de 2026 a las 09:30"),
])
def test_one_date_format_per_reader(lang, day, visit, settings):
    settings.TIME_ZONE = "UTC"
    with translation.override(lang):
        assert dates.long_date(date(2026, 12, 17)) == day
        assert dates.visit_time(datetime(2026, 12, 17, 9, 30, tzinfo=dt_timezone.utc)) == visit


@pytest.mark.parametrize("tag, served, direction", [
    ("es-MX", "es", "ltr"), ("ar", "ar", "rtl"), ("fa", None, "rtl"), ("tw", None, "ltr"), ("", "en", "ltr"),
    ("EN_gb", "en", "ltr"),
])
def test_one_lookup_for_the_readers_language(tag, served, direction):
    assert language.served(tag) == served
    assert language.supported(tag) == (served or "en")
    assert language.direction(tag) == direction


def test_a_staff_member_who_chose_spanish_reads_spanish_after_login_on_a_fresh_browser(client, clinician):
    from accounts.testing import next_code

    clinician.staff_profile.language = "es"
    clinician.staff_profile.save()
    client.cookies["django_language"] = "en"  # a fresh browser that last showed English
    response = client.post("/login/", {"username": "clinician", "password": PASSWORD})
    assert response.status_code == 302 and response.cookies["django_language"].value == "es"
    code = client.post(reverse("accounts:mfa_verify"), {"otp_token": next_code(clinician.totpdevice_set.get())})
    assert code.status_code == 302
    page = client.get(reverse("treatment:worklist"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="es"' in page.content.decode()


def test_a_staff_member_without_a_language_follows_the_browser(client, clinician):
    client.force_login(clinician)
    client.cookies["django_language"] = "ar"
    assert 'lang="ar"' in client.get(reverse("treatment:worklist")).content.decode()


def test_changing_the_language_in_the_header_updates_the_staff_profile(client, clinician):
    client.force_login(clinician)
    client.post("/i18n/setlang/", {"language": "es", "next": "/courses/worklist/"})
    clinician.staff_profile.refresh_from_db()
    assert clinician.staff_profile.language == "es"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/courses/worklist/"})  # not served: no change
    clinician.staff_profile.refresh_from_db()
    assert clinician.staff_profile.language == "es"
    other = Client()
    other.force_login(clinician)
    assert 'lang="es"' in other.get(reverse("treatment:worklist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
