"""At login the language on the person's record wins: it becomes the session's and the cookie's."""
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tpclinic import language


def record_language(user) -> str | None:
    patient = getattr(user, "patient_record", None)
    if patient is not None and patient.preferred_language:
        return language.supported(patient.preferred_language)
    return None


@receiver(user_logged_in, dispatch_uid="tpclinic.apply_record_language")
def apply_record_language(sender, request, user, **kwargs):
    chosen = record_language(user)
    if chosen and request is not None:
        request.record_language = chosen  # the language middleware sets the cookie on the way out
