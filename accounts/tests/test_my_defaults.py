"""The "My defaults" page: a clinician's default injectate and needle, from the one agent list."""
import tomllib
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from safety import data_files
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
    assert clinician.staff_profile.injection_defaults() == {"agent": "bupivacaine", "concentration_pct": Decimal("0.25"),
                                                            "needle_gauge": 27, "needle_length_mm": 32}


@pytest.mark.parametrize("agent, starts_at", [
    ("lidocaine", Decimal("1")),        # Xylocaine label: infiltration 0.5% or 1%
    ("bupivacaine", Decimal("0.25")),   # Marcaine label: infiltration 0.25%, never lidocaine's 1%
    ("chloroprocaine", Decimal("1")),   # Nesacaine label: infiltration 1% or 2%
    ("saline", None),                   # no strength to start at
])
def test_a_default_agent_starts_at_a_strength_its_label_gives_for_infiltration(clinician, agent, starts_at):
    clinician.staff_profile.default_agent = agent
    assert clinician.staff_profile.injection_defaults().get("concentration_pct") == starts_at
    if starts_at is not None:
        assert starts_at in data_files.dose_limits().agents[agent].infiltration_pct


def test_the_starting_strength_is_read_from_the_dose_limits_file(clinician, monkeypatch):
    limits = data_files.dose_limits()
    changed = {**limits.agents, "bupivacaine": replace(limits.agents["bupivacaine"], starting_pct=Decimal("0.5"))}
    monkeypatch.setattr(data_files, "dose_limits", lambda: replace(limits, agents=changed))
    clinician.staff_profile.default_agent = "bupivacaine"
    assert clinician.staff_profile.injection_defaults()["concentration_pct"] == Decimal("0.5")


def test_a_starting_strength_outside_the_labels_infiltration_strengths_is_refused(monkeypatch):
    text = (data_files.DATA_DIR / "dose_limits.toml").read_text(encoding="utf-8")
    wrong = text.replace("infiltration_pct = [0.25]\nstarting_pct = 0.25", "infiltration_pct = [0.25]\nstarting_pct = 1")
    assert wrong != text
    monkeypatch.setattr(data_files, "_read", lambda name: tomllib.loads(wrong, parse_float=Decimal))
    data_files.dose_limits.cache_clear()
    try:
        with pytest.raises(data_files.DataFileError, match="starting_pct"):
            data_files.dose_limits()
    finally:
        data_files.dose_limits.cache_clear()


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
