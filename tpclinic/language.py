"""The reader's language, one way for the whole project: Django's own lookup of the nearest
language we serve (`es-MX` -> `es`; anything unknown -> the site's default) and Django's own
right-to-left flag. Handouts, consent forms, articles, reminders and login all ask here."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language_info, get_supported_language_variant


def served(tag: str | None) -> str | None:
    """The served language nearest to a BCP 47 tag (`es-MX` -> `es`); None when none is near."""
    try:
        return get_supported_language_variant((tag or "").strip().replace("_", "-").lower() or settings.LANGUAGE_CODE)
    except LookupError:
        return None


def supported(tag: str | None) -> str:
    """The served language nearest to a BCP 47 tag; the default language when none is near."""
    return served(tag) or settings.LANGUAGE_CODE


def direction(tag: str | None) -> str:
    """"rtl" for a language Django knows to be written right to left, else "ltr"."""
    try:
        return "rtl" if get_language_info((tag or "").strip().replace("_", "-").lower())["bidi"] else "ltr"
    except KeyError:
        return "ltr"
