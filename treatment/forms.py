import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from safety import coding, present
from safety.models import AdverseEvent
from tpclinic.limits import validate_session_date
from tpclinic.versioning import VersionedForm, parse_version
from treatment import superbill
from treatment.models import Course, Injection, InjectionAgent, Session, refuse_expired_lot

# Agents a row can carry besides its own: five in one syringe is more than clinics mix (two or three is
# usual), and a bound keeps a typed or posted row from growing without end. The form shows one empty
# slot, plus one per agent already typed; "Add agent" (session_form.js) adds the next, up to this.
MIXED_SLOTS = 4
# A posted row with more slots than this is refused without building them (a form is never made to
# hold an unbounded number of fields).
POSTED_SLOTS_CEILING = 20
MIXED_PLACEHOLDERS = {"concentration_pct": "%", "volume_ml": "mL", "dose_mg": "mg", "lot_number": _("lot")}
MIXED_FIELDS = ("agent", "concentration_pct", "with_epinephrine", "volume_ml", "dose_mg", "lot_number", "lot_expiry")


class CourseForm(VersionedForm):
    class Meta:
        model = Course
        fields = ["diagnosis_code", "clinician", "interval_days", "planned_sessions", "started_on", "goals", "status"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}), "goals": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"interval_days": _("Leave empty to use the clinician's own preference.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = roles.clinicians()
        self.fields["clinician"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["interval_days"].required = False

    def clean_diagnosis_code(self):
        result = coding.check_diagnosis(self.cleaned_data["diagnosis_code"])
        if not result.ok:
            raise forms.ValidationError(present.diagnosis_message(result))
        return result.code

    def clean(self):
        cleaned = super().clean()
        clinician = cleaned.get("clinician")
        if not cleaned.get("interval_days") and clinician is not None:
            profile = getattr(clinician, "staff_profile", None)
            cleaned["interval_days"] = profile.preferred_interval_days if profile else 14
        return cleaned


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "performed_at", "pain_before", "pain_after", "immediate_relief_pct", "systemic_infection",
            "site_infection", "dose_override_reason", "notes", "em_code", "bill_imaging_guidance",
        ]
        widgets = {
            "performed_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "pain_before": forms.NumberInput(attrs={"min": 0, "max": 10}),
            "pain_after": forms.NumberInput(attrs={"min": 0, "max": 10}),
            "immediate_relief_pct": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "dose_override_reason": forms.Textarea(attrs={"rows": 2}),
        }

    # The version the form was read at. Not an IntegerField: a missing, zero, garbled or huge value
    # must reach the version check (which refuses it with its own message), not become a 500 or a
    # hidden-field error nobody sees.
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    attestation = forms.CharField(
        label=_("Attestation (covering clinician)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("This is another clinician's session. To co-sign it, say why you sign it for them."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["performed_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        # On the form field too, so an out-of-range date never reaches the instance the live check screens.
        self.fields["performed_at"].validators.append(validate_session_date)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_version(self):
        return parse_version(self.cleaned_data.get("version"))

    def clean_em_code(self):
        code = (self.cleaned_data.get("em_code") or "").strip()
        if code and code not in superbill.modifier_rules()["em"]["codes"]:
            raise forms.ValidationError(_("Enter an office or outpatient E/M code (99202-99215), or leave it empty."))
        return code

    def clean(self):
        cleaned = super().clean()
        before, after, relief = cleaned.get("pain_before"), cleaned.get("pain_after"), cleaned.get("immediate_relief_pct")
        if relief is None and before and after is not None:
            cleaned["immediate_relief_pct"] = max(0, round((before - after) * 100 / before))
        return cleaned


class InjectionForm(forms.ModelForm):
    class Meta:
        model = Injection
        fields = [
            "trigger_point", "agent", "concentration_pct", "with_epinephrine", "volume_ml", "needle_gauge",
            "needle_length_mm", "technique", "twitch_elicited", "guidance", "lot_number", "lot_expiry",
            "ultrasound_image",
        ]
        widgets = {"lot_expiry": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ultrasound_image": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"})}

    def __init__(self, *args, patient=None, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session  # the session as typed (its form cleans first), for the lot expiry check
        if patient is not None:
            self.fields["trigger_point"].queryset = patient.trigger_points.filter(resolved_on__isnull=True)
        self.fields["trigger_point"].empty_label = _("Choose a trigger point")
        existing = list(self.instance.mixed_agents.all()) if self.instance.pk else []
        self.posted_slots = self._posted_slots()
        self.slot_count = max(1, len(existing), min(self.posted_slots, POSTED_SLOTS_CEILING))
        for slot in range(1, self.slot_count + 1):
            current = existing[slot - 1] if slot <= len(existing) else None
            slot_fields = forms.fields_for_model(InjectionAgent, fields=MIXED_FIELDS, widgets={
                "lot_expiry": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")})
            for name in MIXED_FIELDS:
                field = slot_fields[name]
                field.required = False
                if name in MIXED_PLACEHOLDERS:
                    field.widget.attrs["placeholder"] = str(MIXED_PLACEHOLDERS[name])
                field.label = _("Agent %(n)s: %(field)s") % {"n": slot + 1, "field": field.label}
                self.fields[f"mix{slot}_{name}"] = field
                if current is not None:
                    self.initial.setdefault(f"mix{slot}_{name}", getattr(current, name))
            self.fields[f"mix{slot}_agent"].choices = [("", _("— none —")), *self.fields[f"mix{slot}_agent"].choices[1:]]
        for field in self.fields.values():  # the row's cells have no <label>: name each control for assistive tech
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def _posted_slots(self) -> int:
        """The highest mixture slot the posted row names (mixN_agent), 0 when unbound or none."""
        if not self.is_bound:
            return 0
        prefix = self.add_prefix("mix")
        numbers = [int(found[1]) for key in self.data
                   for found in [re.fullmatch(re.escape(prefix) + r"(\d{1,4})_agent", key)] if found]
        return max(numbers, default=0)

    def mixed_slots(self):
        """The bound fields of each further agent, for the row's folded details."""
        return [[self[f"mix{slot}_{name}"] for name in MIXED_FIELDS] for slot in range(1, self.slot_count + 1)]

    @property
    def max_agents(self) -> int:
        return MIXED_SLOTS + 1

    def _typed_mixture(self) -> list[InjectionAgent]:
        typed = []
        for slot in range(1, self.slot_count + 1):
            values = {name: self.cleaned_data.get(f"mix{slot}_{name}") for name in MIXED_FIELDS}
            if not values["agent"]:
                continue
            values["with_epinephrine"] = bool(values["with_epinephrine"])
            values["lot_number"] = values["lot_number"] or ""
            agent = InjectionAgent(**values)
            try:
                agent.clean()
            except forms.ValidationError as error:
                for name, problems in error.message_dict.items():
                    for problem in problems:
                        self.add_error(f"mix{slot}_{name}", problem)
                continue
            typed.append(agent)
        return typed

    def clean(self):
        cleaned = super().clean()
        session = self.session
        day = timezone.localdate(session.performed_at) if session is not None and session.performed_at else None
        lots = [("lot_expiry", cleaned.get("lot_expiry"))] + [
            (f"mix{slot}_lot_expiry", cleaned.get(f"mix{slot}_lot_expiry")) for slot in range(1, self.slot_count + 1)]
        for name, expiry in lots:
            try:
                refuse_expired_lot(expiry, day)
            except forms.ValidationError as error:
                self.add_error(name, error)
        self.instance.typed_mixture = self._typed_mixture()
        if len(self.instance.typed_mixture) > MIXED_SLOTS or self.posted_slots > POSTED_SLOTS_CEILING:
            self.add_error(None, _("One syringe holds at most %(n)s agents: this row's own and %(mixed)s mixed with it. "
                                   "Remove one, or record a second injection at the same trigger point.")
                           % {"n": MIXED_SLOTS + 1, "mixed": MIXED_SLOTS})
        return cleaned

    def save(self, commit=True):
        injection = super().save(commit=commit)
        if commit:
            injection.replace_mixture(injection.typed_mixture)
        return injection



class BaseInjectionFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, patient=None, row_defaults=None, **kwargs):
        self.patient = patient
        self.row_defaults = row_defaults or {}  # the clinician's default agent and needle, for new rows
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("mixed_agents")  # each row shows its mixture

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "patient": self.patient, "session": self.instance}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
            use_required_attribute=False, patient=self.patient, renderer=self.renderer, initial=self.row_defaults,
        )
        self.add_fields(form, None)
        return form


InjectionFormSet = forms.inlineformset_factory(
    Session, Injection, form=InjectionForm, formset=BaseInjectionFormSet, extra=0, can_delete=True,
)


def default_session_time():
    now = timezone.localtime()
    return now.replace(second=0, microsecond=0)


class AdverseEventForm(forms.ModelForm):
    class Meta:
        model = AdverseEvent
        fields = ["kind", "injection", "onset_at", "severity", "action", "outcome", "follow_up"]
        widgets = {
            "onset_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "action": forms.Textarea(attrs={"rows": 2}), "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    version = forms.CharField(widget=forms.HiddenInput, required=False)  # read when changing an event

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["injection"].queryset = session.injections.select_related("trigger_point")
        self.fields["onset_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["onset_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_version(self):
        return parse_version(self.cleaned_data.get("version"))

    def clean_onset_at(self):
        onset = self.cleaned_data["onset_at"]
        if onset < self.session.performed_at - timezone.timedelta(hours=1):
            raise forms.ValidationError(_("The onset cannot be before the session."))
        if onset > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("The onset cannot be in the future."))
        return onset


class FavouriteNameForm(forms.Form):
    favourite_name = forms.CharField(label=_("Name of the favourite"), max_length=80, required=False)

    def clean_favourite_name(self):
        name = self.cleaned_data["favourite_name"].strip()
        if not name:
            raise forms.ValidationError(_("Name the favourite to save these injections."))
        return name
