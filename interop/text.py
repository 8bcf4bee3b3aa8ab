"""One place that makes stored text safe to send: control characters out, blank strings omitted.

Why: the database holds whatever was typed or imported (a pasted NUL, an escape sequence, a note of
only spaces), and HL7's schema rejects control characters, odd Unicode spaces and empty strings,
while fhir.resources lets them through. Export runs every resource through `clean` so a stored
value can never make an export invalid; the API rejects control characters on the way in.
"""
from __future__ import annotations

import re

# The language of every label and message the API and FHIR write, whatever the request asks for
# (Accept-Language, the language cookie): codes never change, and their words stay the same too.
LANGUAGE = "en"

# C0 and C1 controls except tab, line feed and carriage return; DEL; lone surrogates; BOM.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")
_INPUT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Unicode space separators (Zs) other than the plain space, and the line/paragraph separators (Zl, Zp).
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def clean_text(value: str) -> str | None:
    """The text without control characters, other spaces made plain, trimmed; None when nothing is left.

    Unicode space separators (no-break space, thin space...) and line/paragraph separators are
    whitespace to HL7's pattern `[ \\r\\n\\t\\S]` but not allowed by it, so they become plain
    spaces; line breaks inside a note are kept.
    """
    value = _ODD_SPACE.sub(" ", _CONTROL.sub("", value)).strip()
    return value or None


def clean(value):
    """Recursively clean a JSON-like value: strings cleaned, and empty strings, lists and objects dropped.

    Returns None when nothing is left, so the caller can leave the field out.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = clean(item)
            if item is not None:
                out[key] = item
        return out or None
    if isinstance(value, (list, tuple)):
        items = [item for item in (clean(v) for v in value) if item is not None]
        return items or None
    return value


def reject_control_characters(value: str) -> str:
    """Pydantic validator for API input: refuse text with control characters, naming the first one."""
    found = _INPUT_CONTROL.search(value)
    if found:
        raise ValueError(
            f"contains the control character U+{ord(found.group()):04X} at position {found.start() + 1}; remove it"
        )
    return value
