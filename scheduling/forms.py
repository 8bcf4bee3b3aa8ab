from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from scheduling.models import AppointmentRequest, ClinicianSession, ClinicSettings, ReminderChoice, Room

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)


class SlotField(forms.ChoiceField):
    """The proposed slots as radio buttons; a slot taken meanwhile is still accepted here so that the
    booking itself can say it is taken (a double booking), rather than "not a valid choice"."""

    def valid_value(self, value):
        return True


class BookingForm(forms.Form):
    """Pick one of the proposed slots, or type another time."""

    slot = SlotField(label=_("Free slots"), required=False, widget=forms.RadioSelect)
    other = forms.DateTimeField(label=_("Or another time"), required=False, widget=LocalDateTimeInput(),
                                input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
                                error_messages={"invalid": _("Enter a date and time, e.g. 2026-12-17 09:30.")})
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=240)
    room = forms.ModelChoiceField(label=_("Room or chair"), queryset=Room.objects.filter(active=True), required=False,
                                  empty_label=_("No particular room"))
    early_reason = forms.CharField(
        label=_("Reason for booking before the payer's date"), required=False, max_length=200,
        help_text=_("Needed only for a date before the payer's earliest date."),
    )

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (timezone.localtime(s).strftime(LOCAL_INPUT), s) for s in slots
        ]

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("other")
        if start is None and cleaned.get("slot"):
            try:
                start = forms.DateTimeField(input_formats=[LOCAL_INPUT]).clean(cleaned["slot"])
            except forms.ValidationError:
                self.add_error("slot", _("Choose one of the free slots."))
                return cleaned
        if start is None and not self.has_error("other"):
            raise forms.ValidationError(_("Choose a free slot or enter another time."))
        cleaned["start"] = start
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200,
                             error_messages={"required": _("Give a reason for cancelling.")})


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = ClinicSettings
        fields = ["opens_at", "closes_at", "open_days", "default_minutes", "reminder_days_before", "cancel_hours_before"]
        widgets = {"opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class ClinicianSessionForm(forms.ModelForm):
    class Meta:
        model = ClinicianSession
        fields = ["clinician", "weekday", "starts_at", "ends_at", "slot_minutes", "room"]
        widgets = {"starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = roles.clinicians()


class ReminderChoiceForm(forms.ModelForm):
    class Meta:
        model = ReminderChoice
        fields = ["channel", "email", "phone"]
        widgets = {"channel": forms.RadioSelect, "email": forms.EmailInput(attrs={"autocomplete": "email"}),
                   "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})}


class AppointmentRequestForm(forms.ModelForm):
    class Meta:
        model = AppointmentRequest
        fields = ["preferred_days", "preferred_times", "note"]
        help_texts = {"preferred_days": _("For example: Mondays or Thursdays, not the week of 20 December."),
                      "preferred_times": _("For example: mornings, or after 4 pm.")}

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(f) or "").strip() for f in ("preferred_days", "preferred_times", "note")):
            raise forms.ValidationError(_("Tell us which days or times suit you, or write a message."))
        return cleaned
