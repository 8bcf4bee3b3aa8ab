"""The FHIR R4 server: CapabilityStatement, read/vread/history, search, paging, access and audit.

Every response body is checked against HL7's R4 JSON schema (`fhir`)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from interop.tests.conftest import schema_errors

pytestmark = pytest.mark.django_db
FHIR_JSON = "application/fhir+json"


def valid(body: dict) -> dict:
    """The body, after checking it and every resource inside it against the R4 schema."""
    errors = schema_errors(body)
    for entry in body.get("entry", []):
        errors += schema_errors(entry["resource"])
    assert not errors, errors[:5]
    return body


@pytest.fixture
def fhir(api):
    """GET/POST a FHIR path (or an absolute link) as a user; returns the response, its body checked."""
    class Fhir:
        def get(self, path, user=None, headers=None, expect=200, **params):
            parts = urlsplit(path)
            url = parts.path + (f"?{parts.query}" if parts.query else "")
            headers = {"Accept": FHIR_JSON, **(headers or {})}
            if params:
                response = api.get(url, user=user, headers=headers, **params)
            else:
                response = api.client.get(url, headers=api._headers(user, headers))
            assert response.status_code == expect, (response.status_code, response.content[:600])
            if response.status_code != 304:
                assert response["Content-Type"].startswith(FHIR_JSON)
                valid(response.json())
            return response

        def search(self, path, user, **params):
            return self.get(path, user, **params).json()

    return Fhir()


def ids(bundle, kind=None, mode="match"):
    return [e["resource"]["id"] for e in bundle.get("entry", [])
            if e["search"]["mode"] == mode and (kind is None or e["resource"]["resourceType"] == kind)]


def test_capability_statement(fhir):
    statement = fhir.get("/fhir/metadata").json()
    assert statement["resourceType"] == "CapabilityStatement" and statement["kind"] == "instance"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["implementation"]["url"] == "http://testserver/fhir"
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Patient", "Observation", "Procedure", "MedicationAdministration", "Condition"} <= set(types)
    assert {i["code"] for i in types["Observation"]["interaction"]} == {"read", "vread", "history-instance",
                                                                        "search-type"}
    assert "Observation:patient" in types["Patient"]["searchRevInclude"]
    # Bulk Data: the server says it is a bulk data server and where $export runs (system, Patient, Group)
    bulk = "http://hl7.org/fhir/uv/bulkdata"
    assert statement["instantiates"] == [f"{bulk}/CapabilityStatement/bulk-data"]
    assert statement["rest"][0]["operation"] == [{"name": "export", "definition": f"{bulk}/OperationDefinition/export"}]
    assert {"name": "export", "definition": f"{bulk}/OperationDefinition/patient-export"} in types["Patient"]["operation"]
    assert types["Group"]["operation"] == [{"name": "export", "definition": f"{bulk}/OperationDefinition/group-export"}]
    assert "interaction" not in types["Group"]  # exported only, never read or searched


def test_the_bulk_operations_listed_are_the_ones_that_start(fhir, api, clinic, clinician):
    """Each $export the CapabilityStatement names starts an export where it says (202 and a status URL)."""
    statement = fhir.get("/fhir/metadata").json()
    rest = statement["rest"][0]
    paths = ["/fhir/$export" for op in rest["operation"] if op["name"] == "export"]
    paths += [f"/fhir/{r['type']}/$export" if r["type"] == "Patient" else f"/fhir/{r['type']}/{clinician.pk}/$export"
              for r in rest["resource"] for op in r.get("operation", []) if op["name"] == "export"]
    assert sorted(paths) == sorted(["/fhir/$export", "/fhir/Patient/$export", f"/fhir/Group/{clinician.pk}/$export"])
    for path in paths:
        started = api.get(path, user=clinician, headers={"Prefer": "respond-async", "Accept": FHIR_JSON})
        assert started.status_code == 202 and "$export-status" in started["Content-Location"], path


def _value_for(kind: str, param: str, resource: dict, resource_type: str):
    """A query value that must find `resource` through `param`, taken from the resource's own JSON."""
    from interop import fhir_search as search

    found = search.param_values(resource, search.params_of(resource_type)[param])
    if not found:
        return None
    first = found[0]
    if kind == "token":
        if isinstance(first, bool):
            return str(first).lower()
        if isinstance(first, str):
            return first
        if "text" in first and not first.get("coding"):
            return ":text", first["text"][:4]
        coding = (first.get("coding") or [first])[0]
        return f"{coding.get('system', '')}|{coding.get('code') or coding.get('value')}"
    if kind == "reference":
        return first["reference"]
    if kind == "string":
        return (first if isinstance(first, str) else first.get("text", ""))[:3]
    if kind == "date":
        text = first if isinstance(first, str) else first.get("start")
        return f"ge{text[:10]}"
    raise AssertionError(kind)


def test_every_search_parameter_in_the_capability_statement_works(fhir, clinic, clinician, amendment):
    """For each listed type and parameter: a value read from a real resource finds it, and a value that
    matches nothing finds nothing."""
    statement = fhir.get("/fhir/metadata").json()
    misses = {"token": "urn:nothing|nothing", "reference": "Patient/999999", "string": "Zzzzq",
              "date": "lt1900-01-01"}
    tried, untried = 0, []
    for described in statement["rest"][0]["resource"]:
        kind = described["type"]
        if "search-type" not in {i["code"] for i in described.get("interaction", [])}:
            assert "searchParam" not in described, kind  # a type offered for $export only lists no search
            continue
        everything = fhir.search(f"/fhir/{kind}", clinician, _count=1000)
        assert everything["total"] > 0, f"no {kind} in the test clinic"
        for param in described["searchParam"]:
            name, param_type = param["name"], param["type"]
            resource = next((e["resource"] for e in everything["entry"]
                             if _value_for(param_type, name, e["resource"], kind) is not None), None)
            if resource is None:
                untried.append(f"{kind}:{name}")
                continue
            value = _value_for(param_type, name, resource, kind)
            modifier, value = value if isinstance(value, tuple) else ("", value)
            searched = name + modifier
            hits = fhir.search(f"/fhir/{kind}", clinician, headers={"Prefer": "handling=strict"},
                               **{searched: value, "_count": 1000})
            assert resource["id"] in ids(hits), (kind, name, value)
            none = fhir.search(f"/fhir/{kind}", clinician, **{name: misses[param_type]})
            assert none["total"] == 0 or name == "_lastUpdated", (kind, name)
            tried += 1
    assert tried > 60
    assert untried == [], "listed but not exercised: the test clinic holds no value for them"


def test_read_has_version_etag_and_conditional_answers(fhir, clinic, clinician):
    patient = clinic["patient"]
    first = fhir.get(f"/fhir/Patient/{patient.pk}", clinician)
    body = first.json()
    assert body["meta"]["versionId"] == "1" and first["ETag"] == 'W/"1"' and first["Last-Modified"]
    assert fhir.get(f"/fhir/Patient/{patient.pk}", clinician, headers={"If-None-Match": 'W/"1"'},
                    expect=304)["ETag"] == 'W/"1"'
    assert fhir.get(f"/fhir/Patient/{patient.pk}", clinician).json()["meta"]["versionId"] == "1"  # stable
    patient.family_name = "López-García"
    patient.save()
    second = fhir.get(f"/fhir/Patient/{patient.pk}", clinician, headers={"If-None-Match": 'W/"1"'})
    assert second["ETag"] == 'W/"2"' and second.json()["name"][0]["family"] == "López-García"
    old = fhir.get(f"/fhir/Patient/{patient.pk}/_history/1", clinician).json()
    assert old["name"][0]["family"] == "Lopez" and old["meta"]["versionId"] == "1"
    history = fhir.get(f"/fhir/Patient/{patient.pk}/_history", clinician).json()
    assert history["type"] == "history" and [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]
    fhir.get(f"/fhir/Patient/{patient.pk}/_history/9", clinician, expect=404)


def test_a_composite_resource_versions_with_any_record_behind_it(fhir, clinic, clinician):
    """A Procedure is a session and its injections: changing an injection is a new Procedure version."""
    session = clinic["signed"]
    assert fhir.get(f"/fhir/Procedure/{session.pk}", clinician)["ETag"] == 'W/"1"'
    injection = session.injections.get(agent="saline")
    injection.trigger_point.muscle = "rhomboid-major"
    injection.trigger_point.save()
    assert fhir.get(f"/fhir/Procedure/{session.pk}", clinician)["ETag"] == 'W/"2"'


def test_every_full_url_resolves_to_the_same_resource(fhir, clinic, clinician, amendment):
    bundle = fhir.search(f"/fhir/Patient/{clinic['patient'].pk}/$everything", clinician)
    assert bundle["total"] == len(bundle["entry"]) > 20
    for entry in bundle["entry"]:
        read = fhir.get(entry["fullUrl"], clinician).json()
        assert read == entry["resource"], entry["fullUrl"]


def test_search_patients(fhir, clinic, clinician):
    patient, other = clinic["patient"], clinic["other"]
    assert ids(fhir.search("/fhir/Patient", clinician, name="lop")) == [str(patient.pk)]
    assert ids(fhir.search("/fhir/Patient", clinician, family="Haddad")) == [str(other.pk)]
    assert ids(fhir.search("/fhir/Patient", clinician, given="maría")) == [str(patient.pk)]  # accents folded
    assert ids(fhir.search("/fhir/Patient", clinician, identifier="TP0002")) == [str(other.pk)]
    assert ids(fhir.search("/fhir/Patient", clinician, birthdate="1980-05-17")) == [str(patient.pk)]
    assert ids(fhir.search("/fhir/Patient", clinician, birthdate="lt1979")) == [str(other.pk)]
    assert ids(fhir.search("/fhir/Patient", clinician, gender="male")) == [str(other.pk)]
    assert ids(fhir.search("/fhir/Patient", clinician, name="lop,had", _sort="birthdate")) == [
        str(other.pk), str(patient.pk)]
    counted = fhir.search("/fhir/Patient", clinician, _summary="count")
    assert counted["total"] == 2 and "entry" not in counted


def test_search_by_date_prefixes_and_sort(fhir, clinic, clinician):
    patient = clinic["patient"]
    day = clinic["signed"].performed_at.date()
    scores = fhir.search("/fhir/Observation", clinician, patient=patient.pk, code="http://loinc.org|72514-3",
                         _sort="-date")
    dates = [e["resource"]["effectiveDateTime"][:10] for e in scores["entry"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 4  # two diary days, before and after
    same_day = fhir.search("/fhir/Observation", clinician, patient=patient.pk, date=day.isoformat())
    assert {e["resource"]["id"] for e in same_day["entry"]} == {
        f"pain-before-{clinic['signed'].pk}", f"pain-after-{clinic['signed'].pk}", f"relief-{clinic['signed'].pk}"}
    later = fhir.search("/fhir/Observation", clinician, patient=patient.pk, date=f"gt{day.isoformat()}")
    assert not set(ids(later)) & set(ids(same_day)) and later["total"] > 0
    both = fhir.search("/fhir/Observation", clinician, patient=patient.pk,
                       date=[f"ge{day.isoformat()}", f"le{day.isoformat()}"])
    assert set(ids(both)) == set(ids(same_day))
    assert fhir.search("/fhir/Procedure", clinician, status="preparation")["total"] == 0  # drafts stay home
    fhir.get("/fhir/Observation", clinician, date="yesterday", expect=400)


def test_paging_is_stable_and_reaches_the_end(fhir, clinic, clinician, amendment):
    full = fhir.search("/fhir/Observation", clinician, _count=1000)
    seen, link, pages = [], "/fhir/Observation?_count=2", 0
    while link:
        page = fhir.get(link, clinician).json()
        assert page["total"] == full["total"]
        seen += ids(page)
        links = {lk["relation"]: lk["url"] for lk in page["link"]}
        assert links["self"].startswith("http://testserver/fhir/Observation?")
        if pages:
            assert "previous" in links
        link = links.get("next")
        pages += 1
    assert seen == ids(full) and len(set(seen)) == len(seen) and pages == (full["total"] + 1) // 2
    assert fhir.search("/fhir/Observation", clinician, _count=5000)["link"][0]["url"].count("_count=1000")


def test_include_revinclude_and_elements(fhir, clinic, clinician):
    patient = clinic["patient"]
    bundle = fhir.search("/fhir/Procedure", clinician, _include="Procedure:patient")
    assert ids(bundle, "Patient", mode="include") == [str(patient.pk)]
    rev = fhir.search("/fhir/Patient", clinician, _id=patient.pk, _revinclude="Observation:patient")
    included = ids(rev, "Observation", mode="include")
    assert f"height-{patient.pk}" in included and f"diary-{clinic['diary'].pk}" in included
    slim = fhir.search("/fhir/Patient", clinician, _id=patient.pk, _elements="birthDate")
    resource = slim["entry"][0]["resource"]
    assert set(resource) == {"resourceType", "id", "meta", "birthDate"}
    assert resource["meta"]["tag"][0]["code"] == "SUBSETTED"


def test_unknown_parameters_are_reported_or_refused(fhir, clinic, clinician):
    bundle = fhir.search("/fhir/Patient", clinician, family="Lopez", colour="blue")
    outcome = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert "colour" in outcome[0]["issue"][0]["diagnostics"]
    assert "colour" not in bundle["link"][0]["url"] and "family=Lopez" in bundle["link"][0]["url"]
    refused = fhir.get("/fhir/Patient", clinician, headers={"Prefer": "handling=strict"}, colour="blue", expect=400)
    assert refused.json()["resourceType"] == "OperationOutcome"


def test_post_search_is_the_same_search(api, fhir, clinic, clinician):
    response = api.send("POST", "/fhir/Patient/_search", raw="family=Haddad", user=clinician,
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert ids(valid(response.json())) == [str(clinic["other"].pk)]


def test_json_only(fhir, clinic, clinician):
    fhir.get("/fhir/metadata", headers={"Accept": "application/fhir+xml"}, expect=406)
    fhir.get(f"/fhir/Patient/{clinic['patient'].pk}", clinician, _format="xml", expect=406)
    fhir.get("/fhir/metadata", headers={"Accept": "text/html,*/*;q=0.8"})


def test_access_is_the_webs(fhir, api, clinic, clinician, nurse, administrator, front_desk, patient_user):
    patient, other = clinic["patient"], clinic["other"]
    assert api.get(f"/fhir/Patient/{patient.pk}").status_code == 401
    for reader in (clinician, nurse, administrator):  # the clinical readers see every patient
        assert ids(fhir.search("/fhir/Patient", reader)) == [str(patient.pk), str(other.pk)]
    # minimum necessary: the front desk reads no clinical data, through FHIR neither
    refused = fhir.get("/fhir/Patient", front_desk, expect=403).json()
    assert refused["resourceType"] == "OperationOutcome" and refused["issue"][0]["code"] == "forbidden"
    fhir.get(f"/fhir/Patient/{patient.pk}", front_desk, expect=403)
    fhir.get(f"/fhir/Observation?patient={patient.pk}", front_desk, expect=403)
    # a whole record leaves only through a clinician, an administrator or the patient herself
    fhir.get(f"/fhir/Patient/{patient.pk}/$everything", nurse, expect=403)
    fhir.get(f"/fhir/Patient/{patient.pk}/$everything", front_desk, expect=403)
    for exporter in (clinician, administrator, patient_user):
        fhir.get(f"/fhir/Patient/{patient.pk}/$everything", exporter)
    assert ids(fhir.search("/fhir/Patient", patient_user)) == [str(patient.pk)]
    fhir.get(f"/fhir/Patient/{patient.pk}", patient_user)
    fhir.get(f"/fhir/Patient/{other.pk}", patient_user, expect=404)
    assert fhir.search("/fhir/Observation", patient_user, patient=other.pk)["total"] == 0
    own = fhir.search("/fhir/Observation", patient_user)
    assert own["total"] > 0 and all(e["resource"]["subject"]["reference"] == f"Patient/{patient.pk}"
                                    for e in own["entry"])
    fhir.get(f"/fhir/Patient/{other.pk}/$everything", patient_user, expect=404)
    fhir.get("/fhir/Basic", clinician, expect=404)


def test_reads_and_searches_are_audited_with_the_patients_shown(fhir, clinic, clinician):
    from audit.models import AuditEvent

    patient, other = clinic["patient"], clinic["other"]
    before = AuditEvent.objects.count()
    fhir.search("/fhir/Patient", clinician)
    events = AuditEvent.objects.order_by("pk")[before:]
    shown = {e.patient_id for e in events if e.object_type == "fhir.Patient"}
    assert shown == {patient.pk, other.pk}
    assert all(e.username == clinician.username and e.action == "read" for e in events
               if e.object_type == "fhir.Patient")


def test_everything_pages_and_filters(fhir, clinic, clinician):
    url = f"/fhir/Patient/{clinic['patient'].pk}/$everything"
    full = fhir.search(url, clinician)
    seen, link = [], f"{url}?_count=7"
    while link:
        page = fhir.get(link, clinician).json()
        assert page["total"] == full["total"]
        seen += [e["fullUrl"] for e in page["entry"]]
        link = {lk["relation"]: lk["url"] for lk in page["link"]}.get("next")
    assert seen == [e["fullUrl"] for e in full["entry"]]
    only = fhir.search(url, clinician, _type="Procedure,MedicationAdministration")
    assert {e["resource"]["resourceType"] for e in only["entry"]} == {"Procedure", "MedicationAdministration"}
    assert fhir.search(url, clinician, _since="2999-01-01T00:00:00Z")["total"] == 0


def put(api, path, body, user, **headers):
    return api.send("PUT", path, body, user=user, headers=headers, content_type=FHIR_JSON)


def test_update_patient_demographics_with_if_match(api, fhir, clinic, clinician, patient_user):
    from audit.models import AuditEvent

    patient = clinic["patient"]
    url = f"/fhir/Patient/{patient.pk}"
    read = fhir.get(url, clinician).json()
    changed = {**read, "name": [{"use": "official", "family": "Lopez Vega", "given": ["María", "José"]}],
               "birthDate": "1980-05-18"}
    assert put(api, url, changed, clinician).status_code == 428
    assert put(api, url, changed, patient_user, **{"If-Match": 'W/"1"'}).status_code == 403
    response = put(api, url, changed, clinician, **{"If-Match": 'W/"1"'})  # weak compare: W/"1" is current
    assert response.status_code == 200, response.content
    assert response["ETag"] == 'W/"2"' and valid(response.json())["name"][0]["given"] == ["María José"]
    patient.refresh_from_db()
    assert (patient.family_name, patient.given_name, str(patient.birth_date)) == ("Lopez Vega", "María José",
                                                                                  "1980-05-18")
    event = AuditEvent.objects.filter(action="update", patient_id=patient.pk).order_by("pk").last()
    # the explicit event: what changed, before and after, and nothing that did not
    assert (event.before, event.after) == ({"family_name": "Lopez", "given_name": "Maria", "birth_date": "1980-05-17"},
                                           {"family_name": "Lopez Vega", "given_name": "María José",
                                            "birth_date": "1980-05-18"}), (event.before, event.after)
    stale = put(api, url, {**changed, "gender": "other"}, clinician, **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412 and valid(stale.json())["resourceType"] == "OperationOutcome"
    patient.refresh_from_db()
    assert patient.sex == "female"  # nothing changed


def test_update_refuses_what_it_cannot_keep_and_changes_nothing(api, fhir, clinic, clinician):
    patient = clinic["patient"]
    url = f"/fhir/Patient/{patient.pk}"
    read = fhir.get(url, clinician).json()
    match = {"If-Match": read["meta"]["versionId"].join('""')}
    for body, status, words in [
        ({**read, "telecom": [{"system": "phone", "value": "555"}]}, 422, "Patient.telecom"),
        ({**read, "identifier": [{**read["identifier"][0], "value": "TP9999"}]}, 409, "MRN"),
        ({**read, "birthDate": "2999-01-01"}, 422, "future"),
        ({**read, "gender": "sometimes"}, 400, "gender"),
        ({**read, "id": "999"}, 400, "id"),
    ]:
        response = put(api, url, body, clinician, **match)
        assert response.status_code == status and words in response.content.decode(), (status, response.content)
    assert fhir.get(url, clinician)["ETag"] == 'W/"1"'
    assert put(api, f"/fhir/Procedure/{clinic['signed'].pk}", {}, clinician).status_code == 405


def test_injectates_carry_rxnorm_from_the_drug_codes_file(fhir, clinic, clinician, monkeypatch):
    from interop import fhir_codes as codes
    from interop.fhir_out import treatment as exporter
    from treatment.superbill import drug_codes

    def lidocaine(resource: dict) -> dict:
        """The lidocaine concept: the row's medication, or its agent in the syringe (a mixture or a lot)."""
        if "medicationCodeableConcept" in resource:
            return resource["medicationCodeableConcept"]
        return next(c["code"] for c in resource["contained"] if c["code"]["coding"][0]["code"] == "lidocaine")

    table = drug_codes()["rxnorm"]
    given = fhir.search("/fhir/MedicationAdministration", clinician, code=f"{codes.RXNORM}|{table['lidocaine']['code']}")
    assert given["total"] >= 1
    for entry in given["entry"]:
        assert lidocaine(entry["resource"])["coding"] == [
            {"system": codes.AGENT, "code": "lidocaine", "display": "Lidocaine"},
            {"system": codes.RXNORM, "code": table["lidocaine"]["code"], "display": "lidocaine"}]
    # the other injectates the clinic gave (bupivacaine and triamcinolone in the mixture, saline alone) are found
    # by their RxNorm codes too, on the syringe's own concept or on its agent's contained Medication
    for agent in ("bupivacaine", "triamcinolone", "saline"):
        found = fhir.search("/fhir/MedicationAdministration", clinician, code=f"{codes.RXNORM}|{table[agent]['code']}")
        assert found["total"] >= 1, agent
        for entry in found["entry"]:
            resource = entry["resource"]
            concepts = [resource.get("medicationCodeableConcept")] + [c.get("code") for c in resource.get("contained", [])]
            assert {"system": codes.RXNORM, "code": table[agent]["code"], "display": table[agent]["display"]} in [
                coding for concept in filter(None, concepts) for coding in concept.get("coding", [])]
    # the file is the truth: another code there is the code exported; no entry, no RxNorm coding
    monkeypatch.setattr(exporter, "drug_codes", lambda: {"rxnorm": {"lidocaine": {"code": "999", "display": "x"}}})
    changed = fhir.get(f"/fhir/MedicationAdministration/{given['entry'][0]['resource']['id']}", clinician).json()
    assert lidocaine(changed)["coding"][1]["code"] == "999"
    monkeypatch.setattr(exporter, "drug_codes", lambda: {"rxnorm": {}})
    plain = fhir.get(f"/fhir/MedicationAdministration/{given['entry'][0]['resource']['id']}", clinician).json()
    assert [c["system"] for c in lidocaine(plain)["coding"]] == [codes.AGENT]


def test_injected_sides_are_snomed_laterality(fhir, clinic, clinician):
    from interop import fhir_codes as codes

    procedure = fhir.get(f"/fhir/Procedure/{clinic['signed'].pk}", clinician).json()
    sides = {s["coding"][0]["code"]: s["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
             for s in procedure["bodySite"]}
    assert sides == {"upper-trapezius": "7771000", "levator-scapulae": "24028007"}
    given = fhir.search("/fhir/MedicationAdministration", clinician, code=f"{codes.AGENT}|lidocaine")
    site = given["entry"][0]["resource"]["dosage"]["site"]
    assert site["extension"] == [{"url": codes.EXT_LATERALITY, "valueCodeableConcept": {
        "coding": [{"system": codes.SNOMED, "code": "7771000", "display": "Left"}]}}]
