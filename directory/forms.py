from django import forms
from django.utils.translation import gettext_lazy as _

from directory import taxonomy
from directory.languages import language_label
from directory.models import Location, Specialist


def specialty_choices():
    """Specialties of the listed specialists, plus the whole classification above each one."""
    codes = set(Specialist.objects.values_list("taxonomy_code", flat=True).distinct())
    codes |= {parent for code in list(codes) if (parent := taxonomy.classification_code(code))}
    codes = [code for code in codes if taxonomy.is_known(code)]
    return sorted(((code, str(taxonomy.label(code))) for code in codes), key=lambda pair: pair[1].casefold())


def language_choices():
    primaries = set()
    for value in Specialist.objects.values_list("languages", flat=True):
        primaries |= {tag.split("-")[0].lower() for tag in value.split(",") if tag}
    return sorted(((code, language_label(code)) for code in primaries), key=lambda pair: pair[1].casefold())


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Complaint or body region"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("for example: knee pain"), "autocomplete": "off"}),
    )
    specialty = forms.ChoiceField(label=_("Specialty"), required=False)
    language = forms.ChoiceField(label=_("Language spoken"), required=False)
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.all(), required=False, empty_label=_("Any location"),
    )
    accepting = forms.BooleanField(label=_("Accepting new patients"), required=False)
    tpi = forms.BooleanField(label=_("Performs trigger point injections"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", _("Any specialty"))] + specialty_choices()
        self.fields["language"].choices = [("", _("Any language"))] + language_choices()
