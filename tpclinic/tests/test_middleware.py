import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_search_is_refused_with_a_message(clinician_client):
    response = clinician_client.get("/patients/", {"q": "Lo\x00pez"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_an_api_query_is_a_problem(client):
    response = client.get("/api/v1/specialists", {"q": "knee\x00"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]


def test_ordinary_requests_pass(clinician_client):
    assert clinician_client.get("/patients/", {"q": "Lopez"}).status_code == 200
