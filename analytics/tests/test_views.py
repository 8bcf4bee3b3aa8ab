"""The outcomes page and its CSV: staff only, charts with titles, the numbers in tables and CSV."""
import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from analytics import summary, synth

TODAY = date(2026, 3, 2)


@pytest.fixture
def clinic(db):
    synth.synthesize(40, seed=4, today=TODAY)


def test_login_required(client, db):
    for name in ("analytics:index", "analytics:outcomes_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_page_shows_charts_with_titles_and_tables(clinician_client, clinic):
    response = clinician_client.get(reverse("analytics:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("session", "clinician", "agent", "muscle", "events"):
        assert f'data-chart="{chart}"' in html
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert html.count('role="img"') >= 5
    assert html.count("<details>") >= 5
    report = response.context["report"]
    assert report["totals"]["evaluable"] > 0
    assert f"{report['totals']['share30']}%" in html


def test_filters_narrow_the_figures(clinician_client, clinic):
    everything = clinician_client.get(reverse("analytics:index")).context["report"]["totals"]["courses"]
    one = clinician_client.get(reverse("analytics:index"), {"start": "2026-01-01", "end": "2026-03-01"})
    assert 0 < one.context["report"]["totals"]["courses"] < everything
    bad = clinician_client.get(reverse("analytics:index"), {"start": "not-a-date"})
    assert bad.status_code == 200 and bad.context["report"]["totals"]["courses"] == everything


def test_csv_has_every_section(clinician_client, clinic):
    response = clinician_client.get(reverse("analytics:outcomes_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "group", "measure", "numerator", "denominator", "value"]
    sections = {row[0] for row in rows[1:]}
    assert {"by_session", "by_clinician", "muscle", "agent", "overall", "adverse_events"} <= sections
    overall = next(row for row in rows if row[0] == "overall" and row[2] == "responders_30pct")
    page = clinician_client.get(reverse("analytics:index")).context["report"]["totals"]
    assert overall[3:] == [str(page["r30"]), str(page["evaluable"]), str(page["share30"])]


def test_front_desk_may_view_but_not_recompute(client, front_desk, clinic):
    client.force_login(front_desk)
    assert client.get(reverse("analytics:index")).status_code == 200
    assert client.post(reverse("analytics:refresh")).status_code == 403


def test_recompute_button(clinician_client, clinic):
    response = clinician_client.post(reverse("analytics:refresh"), follow=True)
    assert response.status_code == 200
    assert summary.current().snapshot is not None


def test_empty_clinic(clinician_client):
    response = clinician_client.get(reverse("analytics:index"))
    assert response.status_code == 200
    assert b"No courses to show." in response.content
