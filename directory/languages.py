"""Names of languages spoken by specialists, for people who may read another language."""
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext


def language_label(tag: str) -> str:
    """'es' -> 'Español (Spanish)' in an English page; the tag itself when the language is unknown."""
    primary = tag.split("-")[0].lower()
    info = LANG_INFO.get(tag.lower()) or LANG_INFO.get(primary)
    if not info or "name_local" not in info:
        return tag
    site_names = dict(settings.LANGUAGES)
    local = site_names.get(tag.lower()) or site_names.get(primary) or info["name_local"]
    local = local[:1].upper() + local[1:]
    translated = gettext(info["name"])
    return local if local == translated else f"{local} ({translated})"


def is_site_language(tag: str) -> bool:
    return tag.split("-")[0].lower() in {code for code, _ in settings.LANGUAGES}
