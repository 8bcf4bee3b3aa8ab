from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety.models import AdverseEvent


class AdverseEventForm(forms.ModelForm):
    class Meta:
        model = AdverseEvent
        fields = ["kind", "injection", "onset_at", "severity", "action", "outcome", "follow_up"]
        widgets = {
            "onset_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "action": forms.Textarea(attrs={"rows": 2}), "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["injection"].queryset = session.injections.select_related("trigger_point")
        self.fields["onset_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["onset_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_onset_at(self):
        onset = self.cleaned_data["onset_at"]
        if onset < self.session.performed_at - timezone.timedelta(hours=1):
            raise forms.ValidationError(_("The onset cannot be before the session."))
        if onset > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("The onset cannot be in the future."))
        return onset
