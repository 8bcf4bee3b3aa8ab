"""The public directory pages, the model's language filter and the demo loader."""
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from directory.demo import SPECIALISTS, load_demo_specialists
from directory.models import Location, Specialist

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo_specialists()


def _slugs(response):
    import re

    return re.findall(r'data-slug="([a-z0-9-]+)"', response.content.decode())


def test_demo_loader_creates_specialists_at_two_locations_and_is_repeatable(django_user_model):
    django_user_model.objects.create_user("dr.ward", password="x" * 12)
    assert load_demo_specialists() == len(SPECIALISTS)
    assert load_demo_specialists() == len(SPECIALISTS)
    assert Specialist.objects.count() == len(SPECIALISTS) >= 10
    assert Location.objects.count() == 2
    assert Specialist.objects.get(slug="alice-ward").user.username == "dr.ward"
    codes = set(Specialist.objects.values_list("taxonomy_code", flat=True))
    assert {"207X00000X", "208VP0000X", "208100000X", "225X00000X"} <= codes
    pts = Specialist.objects.filter(taxonomy_code__startswith="2251")
    assert pts.speaking("es").exists() and pts.speaking("ar").exists()


def test_management_command_loads_the_demo(capsys):
    call_command("load_specialists")
    assert Specialist.objects.count() == len(SPECIALISTS)
    assert "Demo specialists loaded" in capsys.readouterr().out


def test_languages_are_normalised_and_filtered_by_primary_tag(demo):
    specialist = Specialist.objects.create(slug="x", name="X", taxonomy_code="225100000X", languages="ES-mx, en ,en")
    assert specialist.languages == "es-MX,en"
    assert Specialist.objects.speaking("es").filter(slug="x").exists()
    assert Specialist.objects.speaking("es-MX").filter(slug="x").exists()
    assert not Specialist.objects.speaking("es-ES").filter(slug="x").exists()
    assert not Specialist.objects.speaking("e").exists()  # not a tag, and no partial matches
    assert not Specialist.objects.speaking("es|en").exists()


def test_bad_taxonomy_code_fails_validation():
    specialist = Specialist(slug="y", name="Y", taxonomy_code="225X0000", languages="en")
    with pytest.raises(ValidationError) as error:
        specialist.full_clean()
    assert "taxonomy_code" in error.value.message_dict


def test_directory_is_public_and_lists_everyone(client, demo):
    response = client.get(reverse("directory:list"))
    assert response.status_code == 200
    assert len(_slugs(response)) == len(SPECIALISTS)


def test_spanish_speaking_physical_therapist_is_found_by_language_and_specialty(client, demo):
    response = client.get(reverse("directory:list"), {"language": "es", "specialty": "225100000X"})
    assert _slugs(response) == ["lucia-fernandez"]
    arabic = client.get(reverse("directory:list"), {"language": "ar", "specialty": "225100000X"})
    assert _slugs(arabic) == ["omar-haddad"]


def test_other_filters(client, demo):
    tpi = _slugs(client.get(reverse("directory:list"), {"tpi": "on"}))
    assert set(tpi) == {"alice-ward", "elena-marquez", "chidi-okafor", "layla-mansour"}
    accepting_tpi = _slugs(client.get(reverse("directory:list"), {"tpi": "on", "accepting": "on"}))
    assert "layla-mansour" not in accepting_tpi and "alice-ward" in accepting_tpi
    eastside = Location.objects.get(name__contains="Eastside")
    at_eastside = _slugs(client.get(reverse("directory:list"), {"location": eastside.pk}))
    assert "priya-nair" in at_eastside and "omar-haddad" not in at_eastside
    assert "alice-ward" in at_eastside  # works at both locations, listed once
    assert at_eastside.count("alice-ward") == 1


@pytest.mark.parametrize("query", ["knee pain", "dolor de rodilla"])
def test_complaint_search_finds_orthopaedics_sports_medicine_and_pt(client, demo, query):
    response = client.get(reverse("directory:list"), {"q": query})
    slugs = _slugs(response)
    assert slugs[:2] == ["maja-lindqvist", "samuel-osei"]  # orthopaedic surgery and sports medicine first
    assert {"elena-marquez", "lucia-fernandez", "omar-haddad", "grace-kim", "alice-ward"} <= set(slugs)
    assert "chidi-okafor" not in slugs and "priya-nair" not in slugs
    assert "Orthopaedic surgery" in response.content.decode()


def test_complaint_search_is_shown_in_the_reader_language(client, demo):
    html = client.get(reverse("directory:list"), {"q": "dolor de rodilla"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Dolor de rodilla" in html and "Fisioterapia" in html
    assert "Buscar un especialista" in html


def test_unrecognised_complaint_says_so_and_keeps_the_list(client, demo):
    response = client.get(reverse("directory:list"), {"q": "zebra"})
    assert "We could not match" in response.content.decode()
    assert len(_slugs(response)) == len(SPECIALISTS)


def test_complaint_search_combines_with_filters(client, demo):
    slugs = _slugs(client.get(reverse("directory:list"), {"q": "neck pain", "language": "ar"}))
    assert set(slugs) == {"layla-mansour", "omar-haddad"}


def test_invalid_filter_value_is_reported_not_crashing(client, demo):
    response = client.get(reverse("directory:list"), {"specialty": "bogus", "location": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_profile_page(client, demo):
    response = client.get(reverse("directory:profile", args=["lucia-fernandez"]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lucía Fernández" in html and "PT, DPT" in html
    assert "Orthopaedic physical therapy" in html and "2251X0800X" in html
    assert 'lang="es"' in html and "Español" in html
    assert "tpclinic Eastside Rehabilitation" in html
    assert "Accepting new patients" in html


def test_profile_in_arabic(client, demo):
    html = client.get(reverse("directory:profile", args=["omar-haddad"]), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html
    assert "العلاج الطبيعي" in html


def test_unknown_specialist_is_404(client, demo):
    assert client.get(reverse("directory:profile", args=["nobody-here"])).status_code == 404
