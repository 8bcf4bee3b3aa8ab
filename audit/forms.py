from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import Action, Amendment


class AuditFilterForm(forms.Form):
    patient = forms.CharField(label=_("Patient (MRN or id)"), required=False, max_length=32)
    user = forms.CharField(label=_("User (username)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any"))] + list(Action.choices))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class AmendmentForm(forms.ModelForm):
    class Meta:
        model = Amendment
        fields = ["reason", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"reason": _("e.g. late entry, correction of the needle length, addendum after a phone call")}
        error_messages = {
            "reason": {"required": _("Say why the signed note needs an amendment.")},
            "text": {"required": _("Write the amendment.")},
        }

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("Say why the signed note needs an amendment."))
        return value

    def clean_text(self):
        value = self.cleaned_data["text"].strip()
        if not value:
            raise forms.ValidationError(_("Write the amendment."))
        return value
