"""At login the language on the person's record wins: it becomes the session's and the cookie's."""
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tpclinic import language


def record_language(user) -> str | None:
    """The language on the signed-in person's record: a patient's preferred language, or the one a
    member of staff chose in the header. None when the record names none (the browser's wins)."""
    patient = getattr(user, "patient_record", None)
    if patient is not None and patient.preferred_language:
        return language.supported(patient.preferred_language)
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.language:
        return language.supported(profile.language)
    return None


def keep_record_language(user, chosen: str) -> None:
    """The language chosen in the header goes on the person's record, so it wins at their next login
    on any browser (and, for a patient, their handouts and consent forms follow it)."""
    patient = getattr(user, "patient_record", None)
    if patient is not None:
        patient.preferred_language = chosen
        patient.save(update_fields=["preferred_language", "updated_at"])
        return
    profile = getattr(user, "staff_profile", None)
    if profile is not None:
        profile.language = chosen
        profile.save(update_fields=["language"])


@receiver(user_logged_in, dispatch_uid="tpclinic.apply_record_language")
def apply_record_language(sender, request, user, **kwargs):
    chosen = record_language(user)
    if chosen and request is not None:
        request.record_language = chosen  # the language middleware sets the cookie on the way out
