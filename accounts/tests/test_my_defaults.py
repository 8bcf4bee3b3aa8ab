"""The "My defaults" page: a clinician's default injectate and needle, from the one agent list."""
import pytest
from django.urls import reverse

from safety.agents import Agent

pytestmark = pytest.mark.django_db


def test_a_clinician_sets_their_defaults(clinician_client, clinician):
    page = clinician_client.get(reverse("accounts:my_defaults")).content.decode()
    for _code, label in Agent.choices:  # the choices are safety's agent list, not a copy
        assert str(label) in page
    response = clinician_client.post(reverse("accounts:my_defaults"),
                                     {"default_agent": "bupivacaine", "default_needle": "27-32"})
    assert response.status_code == 302
    clinician.staff_profile.refresh_from_db()
    assert clinician.staff_profile.injection_defaults() == {"agent": "bupivacaine", "needle_gauge": 27,
                                                            "needle_length_mm": 32}


def test_an_unknown_value_is_refused_and_changes_nothing(clinician_client, clinician):
    response = clinician_client.post(reverse("accounts:my_defaults"),
                                     {"default_agent": "cocaine", "default_needle": "27-32"})
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    clinician.staff_profile.refresh_from_db()
    assert (clinician.staff_profile.default_agent, clinician.staff_profile.default_needle) == ("", "")


def test_the_header_links_to_my_defaults_for_staff(clinician_client):
    page = clinician_client.get(reverse("accounts:my_defaults")).content.decode()
    assert f'href="{reverse("accounts:my_defaults")}"' in page and "Change password" in page


def test_the_front_desk_has_no_defaults_page(client, front_desk):
    client.force_login(front_desk)
    assert client.get(reverse("accounts:my_defaults")).status_code == 403
