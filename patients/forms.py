from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Allergy, Medication, Patient
from tpclinic.versioning import VersionedForm


class PatientForm(VersionedForm):
    class Meta:
        model = Patient
        fields = [
            "mrn", "given_name", "family_name", "birth_date", "sex", "height_cm", "weight_kg",
            "preferred_language", "payer", "payer_name", "bleeding_disorder", "copd", "pregnant",
            "renal_disease", "hepatic_disease", "cardiac_disease", "diabetes",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date", "min": "1900-01-01"})}

    def clean_mrn(self):
        return self.cleaned_data["mrn"].strip().upper()

    def save(self, commit=True):
        if {"height_cm", "weight_kg"} & set(self.changed_data):
            self.instance.measured_on = timezone.localdate()  # measured today, as entered
        return super().save(commit)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pregnant") and cleaned.get("sex") == "male":
            self.add_error("pregnant", _("Pregnancy is recorded for a patient whose sex is male; check both fields."))
        return cleaned


class FrontDeskPatientForm(PatientForm):
    """Minimum necessary: the front desk keeps identity, language and payer; body measurements,
    risk conditions, allergies and medicines (which feed the dose limit and the risk screen) are
    the clinical team's."""

    class Meta(PatientForm.Meta):
        fields = ["mrn", "given_name", "family_name", "birth_date", "sex", "preferred_language", "payer", "payer_name"]

    def clean(self):
        return super(PatientForm, self).clean()  # the pregnancy check needs a field this form does not hold


AllergyFormSet = forms.inlineformset_factory(
    Patient, Allergy, fields=["substance", "anaesthetic_class", "reaction"], extra=1, can_delete=True,
)
MedicationFormSet = forms.inlineformset_factory(
    Patient, Medication, fields=["name", "kind"], extra=1, can_delete=True,
)
