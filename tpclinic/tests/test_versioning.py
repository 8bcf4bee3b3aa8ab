"""The versioning mechanism itself: of two writers who read the same version exactly one wins, whatever the timing."""
import pytest
from django.forms.models import model_to_dict

from patients.forms import PatientForm
from patients.models import Patient
from tpclinic.versioning import StaleVersion

pytestmark = pytest.mark.django_db


def bound(patient, **changes):
    """A PatientForm as posted from a page opened now, with `changes` typed in."""
    opened = PatientForm(instance=patient)
    data = {name: "" if value is None else value for name, value in model_to_dict(patient, PatientForm._meta.fields).items()}
    data.update(version=opened.initial["version"], base=opened.initial["base"], **changes)
    return PatientForm({k: v for k, v in data.items() if v is not False}, instance=Patient.objects.get(pk=patient.pk))


def test_a_save_between_validation_and_saving_is_caught_by_the_conditional_update(patient):
    first, second = bound(patient, weight_kg="48"), bound(patient, weight_kg="70")
    assert first.is_valid() and second.is_valid()  # both checked before either saves
    first.save()
    with pytest.raises(StaleVersion) as caught:
        second.save()
    assert caught.value.current.version == 2 and caught.value.sent_version == 1
    second.refuse_stale(caught.value)
    assert "Weight (kg): 68.0 → now 48.0" in second.non_field_errors()[0]
    assert second.data["version"] == "2"  # saving again is a deliberate choice over what they now saw
    assert Patient.objects.get(pk=patient.pk).weight_kg == 48


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_exactly_one_of_two_writers_of_the_same_version_wins(patient, order):
    forms = [bound(patient, given_name="Ana"), bound(patient, family_name="Ruiz")]
    outcomes = []
    for index in order:
        form = forms[index]
        if not form.is_valid():
            outcomes.append("refused")
            continue
        form.save()
        outcomes.append("saved")
    assert outcomes == ["saved", "refused"]
    assert Patient.objects.get(pk=patient.pk).version == 2


def test_save_if_current_refuses_impossible_versions(patient):
    for version in (None, 0, -1, 2**70, "1"):
        with pytest.raises(StaleVersion):
            patient.save_if_current(version)
    assert Patient.objects.get(pk=patient.pk).version == 1


def test_empty_values_are_not_reported_as_changes(patient):
    Patient.objects.filter(pk=patient.pk).update(height_cm=None)
    patient.refresh_from_db()
    mine, theirs = bound(patient, weight_kg="70"), bound(patient, pregnant="on")
    theirs.is_valid() and theirs.save()
    assert not mine.is_valid()
    message = mine.non_field_errors()[0]
    assert "Pregnant: no → now yes" in message and "Height" not in message
