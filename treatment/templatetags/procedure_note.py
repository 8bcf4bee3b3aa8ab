from django import template

from accounts import roles
from treatment import note

register = template.Library()


@register.inclusion_tag("treatment/_procedure_note_body.html", takes_context=True)
def procedure_note(context, session):
    """The signed session's note (written now, from the facts as signed, for a session signed before
    notes existed) and the plain text with its amendments for the copy button."""
    if not session.is_signed:
        return {"session": session, "note": None}
    written = note.write_for(session)
    request = context.get("request")
    user = getattr(request, "user", None)
    clinical = bool(user and roles.can_read_clinical(user))
    return {"session": session, "note": written, "plain": note.with_amendments(written),
            "stills": note.ultrasound_stills(session) if clinical else [],
            "can_export": bool(user and roles.can_export(user)), "can_sign": bool(user and roles.can_sign(user))}
