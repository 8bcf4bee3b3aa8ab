import unicodedata

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from anatomy import vocabulary
from charting.models import TriggerPoint
from tpclinic.versioning import VersionedForm, VersionField


class TriggerPointForm(VersionedForm):
    """Chart a trigger point. Clicking the body map fills view, x, y, region and its side;
    choosing the region from the list alone places the point at the region's centre."""

    muscle = forms.ChoiceField(label=_("Muscle"))
    region = forms.ChoiceField(label=_("Body region"))
    region_side = forms.ChoiceField(
        label=_("Region side"), required=False,
        choices=[("", _("Midline (no side)")), ("left", _("Left")), ("right", _("Right"))],
    )
    view = forms.ChoiceField(choices=[("", "")] + list(TriggerPoint._meta.get_field("view").choices), required=False,
                             widget=forms.HiddenInput)
    map_x = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0, max_value=1000)
    map_y = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0, max_value=1000)

    class Meta:
        model = TriggerPoint
        fields = [
            "muscle", "side", "region", "region_side", "view", "map_x", "map_y", "activity",
            "taut_band", "palpable_nodule", "local_twitch_response", "jump_sign", "referred_pain_reproduced",
            "found_on", "notes",
        ]
        widgets = {"found_on": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = get_language()
        self.fields["muscle"].choices = [("", _("Choose a muscle"))] + sorted(
            vocabulary.muscle_choices(lang), key=lambda c: _sort_key(c[1]))
        self.fields["region"].choices = [("", _("Choose a region or click the map"))] + vocabulary.region_choices(lang)
        self.fields["found_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        region, side = cleaned.get("region"), cleaned.get("region_side") or None
        if not region:
            return cleaned
        try:
            vocabulary.check_place(region, side)
        except vocabulary.VocabularyError as error:
            self.add_error("region_side", str(error))
            return cleaned
        if cleaned.get("map_x") is None or cleaned.get("map_y") is None or not cleaned.get("view"):
            shape = centre_of(region, side, cleaned.get("view") or None)
            if shape is None:
                self.add_error("region", _("Click the body map to place this trigger point."))
            else:
                cleaned["view"], cleaned["map_x"], cleaned["map_y"] = shape.view, shape.centroid_x, shape.centroid_y
        else:
            from anatomy import bodymap

            found = bodymap.locate(cleaned["view"], cleaned["map_x"], cleaned["map_y"])
            if found is None:
                self.add_error("region", _("That point is outside the body map; click inside the body."))
        found_on = cleaned.get("found_on")
        if found_on and found_on > timezone.localdate():
            self.add_error("found_on", _("The date found cannot be in the future."))
        cleaned["region_side"] = side or ""
        return cleaned


class ResolveForm(forms.Form):
    """"Mark resolved" on the chart: the version of the trigger point the chart showed."""

    version = VersionField()


def _sort_key(label: str) -> str:
    """Alphabetical order that ignores case and accents ("Ángulo" sorts with "A")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", label.casefold()) if not unicodedata.combining(ch))


def centre_of(region: str, side: str | None, view: str | None):
    """The region's drawing on this view (or its first drawing), whose centre places a point."""
    from anatomy import bodymap

    drawings = [s for s in bodymap.shapes_for(vocabulary.Place(region, side)) if view in (None, s.view)]
    return drawings[0] if drawings else None
