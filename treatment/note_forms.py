from django import forms
from django.utils.translation import gettext_lazy as _

from treatment import note
from treatment.models import NoteTemplate


class NoteTemplateForm(forms.ModelForm):
    """A clinician's phrases; each field shows the default it replaces, and blank keeps the default."""

    class Meta:
        model = NoteTemplate
        fields = NoteTemplate.PHRASES
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in NoteTemplate.PHRASES}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.help_text = _("Blank: “%(default)s”") % {"default": note.default_phrase(name)}
            field.widget.attrs["maxlength"] = 1000
