"""Names of languages spoken by specialists, for people who may read another language."""
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext, gettext_noop

# Languages specialists speak that Django's own list lacks: the English name (translated through
# our catalogues like Django's names are) and the name in the language itself. Sources: the
# IANA language subtag registry (codes) and Ethnologue's entries (names).
EXTRA_LANGUAGES = {
    "tw": {"name": gettext_noop("Twi"), "name_local": "Twi"},
    "ak": {"name": gettext_noop("Akan"), "name_local": "Akan"},
    "yo": {"name": gettext_noop("Yoruba"), "name_local": "Yorùbá"},
    "ha": {"name": gettext_noop("Hausa"), "name_local": "Hausa"},
    "so": {"name": gettext_noop("Somali"), "name_local": "Soomaali"},
    "am": {"name": gettext_noop("Amharic"), "name_local": "አማርኛ"},
    "ti": {"name": gettext_noop("Tigrinya"), "name_local": "ትግርኛ"},
}


def language_info(tag: str) -> dict | None:
    primary = tag.split("-")[0].lower()
    return LANG_INFO.get(tag.lower()) or LANG_INFO.get(primary) or EXTRA_LANGUAGES.get(primary)


def language_label(tag: str) -> str:
    """'es' -> 'Español (Spanish)' in an English page; the tag itself when the language is unknown."""
    primary = tag.split("-")[0].lower()
    info = language_info(tag)
    if not info or "name_local" not in info:
        return tag
    site_names = dict(settings.LANGUAGES)
    local = site_names.get(tag.lower()) or site_names.get(primary) or info["name_local"]
    local = local[:1].upper() + local[1:]
    translated = gettext(info["name"])
    return local if local == translated else f"{local} ({translated})"


def is_site_language(tag: str) -> bool:
    return tag.split("-")[0].lower() in {code for code, _ in settings.LANGUAGES}
