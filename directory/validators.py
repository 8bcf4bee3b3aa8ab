import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from directory import taxonomy

# BCP 47 language tag: language, optional script, region and variants (RFC 5646, simplified).
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$")


def validate_taxonomy_code(value: str) -> None:
    if not taxonomy.is_known(value or ""):
        raise ValidationError(
            _("%(value)s is not a NUCC taxonomy code in the shipped list (directory/data/nucc_taxonomy.csv)."),
            params={"value": value},
        )


def canonical_tag(tag: str) -> str:
    """es-mx -> es-MX, zh-hant -> zh-Hant: the usual BCP 47 letter case."""
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def split_language_tags(value: str) -> list[str]:
    tags = []
    for piece in (value or "").split(","):
        if piece.strip():
            tag = canonical_tag(piece)
            if tag not in tags:
                tags.append(tag)
    return tags


def validate_language_tags(value: str) -> None:
    tags = split_language_tags(value)
    if not tags:
        raise ValidationError(_("List at least one language, as BCP 47 tags separated by commas (en, es, ar)."))
    bad = [tag for tag in tags if not BCP47.match(tag)]
    if bad:
        raise ValidationError(
            _("%(value)s is not a language tag. Use BCP 47 tags such as en, es, ar or pt-BR, separated by commas."),
            params={"value": ", ".join(bad)},
        )
