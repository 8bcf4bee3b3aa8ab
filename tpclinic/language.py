"""The reader's language, one way for the whole project: Django's own lookup of the nearest
language we serve (`es-MX` -> `es`; anything unknown -> the site's default) and Django's own
right-to-left flag. Handouts, consent forms, articles, reminders and login all ask here."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language_info, get_supported_language_variant


def supported(tag: str | None) -> str:
    """The served language nearest to a BCP 47 tag; the default language when none is near."""
    try:
        return get_supported_language_variant((tag or "").strip().replace("_", "-") or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def is_rtl(tag: str | None) -> bool:
    return bool(get_language_info(supported(tag))["bidi"])
