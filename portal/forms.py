from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anatomy import vocabulary
from portal.diary import read_regions
from portal.models import NOTE_MAX
from tpclinic.limits import validate_clinical_day

PAIN_ERROR = _("Pain must be a whole number from 0 (no pain) to 10 (worst pain imaginable).")


class RangeInput(forms.NumberInput):
    input_type = "range"


class DiaryForm(forms.Form):
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the day this entry is for."), "invalid": _("Enter a valid date.")},
    )
    pain = forms.IntegerField(
        label=_("How bad was your pain, from 0 (no pain) to 10 (worst imaginable)?"),
        min_value=0, max_value=10,
        widget=RangeInput(attrs={"min": 0, "max": 10, "step": 1, "class": "pain-slider"}),
        error_messages={"required": PAIN_ERROR, "invalid": PAIN_ERROR, "min_value": PAIN_ERROR,
                        "max_value": PAIN_ERROR},
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX,
        widget=forms.TextInput(attrs={"maxlength": NOTE_MAX, "autocomplete": "off"}),
        help_text=_("For example what you were doing, or what helped."),
    )
    regions = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["pain"].widget.attrs["aria-describedby"] = "pain-value"

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("You cannot fill in the diary for a day in the future."))
        validate_clinical_day(day)
        return day

    def clean(self):
        cleaned = super().clean()
        pain = cleaned.get("pain")
        try:
            cleaned["marks"] = read_regions(cleaned.get("regions", ""), pain if pain is not None else 5)
        except vocabulary.VocabularyError:
            self.add_error(None, _("The body map sent a region we do not know. Please mark the regions again."))
        return cleaned


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick the box to confirm that you have read the form and agree.")},
    )

    def __init__(self, *args, statement: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if statement:
            self.fields["agree"].label = statement
