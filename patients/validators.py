import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# BCP 47 language tag: language, optional script, region and variants (RFC 5646, simplified).
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$")


def validate_language_tag(value: str) -> None:
    if not BCP47.match(value or ""):
        raise ValidationError(
            _("%(value)s is not a language tag. Use a BCP 47 tag such as en, es, ar or pt-BR."),
            params={"value": value},
        )
