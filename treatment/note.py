"""The procedure note: written from a signed session's facts, in the clinician's words and language.

`facts_of(session)` reads what the session holds (the screen as signed, consent, injections,
adverse events, the course's schedule); `build(facts, phrases)` words it, a pure function of its
arguments in the active language; `write_for(session)` keeps the result as the session's
ProcedureNote, once (signing calls it). A signed note never changes: corrections are audit
Amendments, which `with_amendments` appends beneath the text for copying, printing and export.
"""
from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language_info, gettext as _, ngettext

from audit.models import Amendment
from safety import present
from safety.coding import check_diagnosis
from safety.dose import percent_parts
from safety.models import AdverseEvent, ConsentRecord
from treatment import superbill
from treatment.models import Injection, NotePdf, NoteTemplate, ProcedureNote, Session, still_kind

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------ facts


@dataclass(frozen=True)
class ConsentFact:
    method: str  # ConsentRecord.Method
    language: str  # the form's language code
    form_version: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class SiteFact:
    muscle: str
    side: str | None
    technique: str  # Injection.Technique
    guidance: str  # Injection.Guidance
    needle_gauge: int
    needle_length_mm: int
    injectate: str  # as Injection.describe_mixture words it: the row's agent and each mixed with it
    twitch: bool


@dataclass(frozen=True)
class EventFact:
    kind: str  # AdverseEvent.Kind
    severity: str  # AdverseEvent.Severity
    action: str
    outcome: str  # AdverseEvent.Outcome


@dataclass(frozen=True)
class NoteFacts:
    patient: str
    mrn: str
    birth_date: date
    performed_at: datetime
    clinician: str
    diagnosis_code: str
    diagnosis_text: str | None
    pain_before: int | None
    pain_after: int | None
    relief_pct: int | None
    signed_by: str
    signed_at: datetime
    consents: tuple[ConsentFact, ...] = ()
    sites: tuple[SiteFact, ...] = ()
    dose: dict = field(default_factory=dict)  # screen_snapshot["dose"] as signed
    dose_override_reason: str = ""
    events: tuple[EventFact, ...] = ()
    next_due: date | None = None
    cpt: tuple[str, ...] = ()
    addons: tuple[str, ...] = ()  # the add-on codes billed beside `cpt` (treatment.superbill.imaging_addons)
    notes: str = ""
    cosignatures: tuple[tuple[str, str, str], ...] = ()  # (who, for whom, attestation)


@dataclass(frozen=True)
class Phrases:
    """The clinician's wording of the routine parts; blank means the default in the note's language."""

    time_out: str = ""
    position: str = ""
    skin_preparation: str = ""
    tolerance: str = ""
    no_complications: str = ""
    blood_loss: str = ""
    aftercare: str = ""
    exercise: str = ""
    version: int = 0

    @classmethod
    def of(cls, template: NoteTemplate | None) -> Phrases:
        if template is None:
            return cls()
        return cls(**{name: getattr(template, name).strip() for name in NoteTemplate.PHRASES},
                   version=template.version)


def default_phrase(name: str) -> str:
    """The default wording of a phrase, in the active language."""
    return {
        "time_out": _("Time-out performed before the first injection: patient identity, procedure, sites and "
                      "sides, and allergies confirmed."),
        "position": _("Positioned for comfortable access to the sites, supported."),
        "skin_preparation": _("Skin prepared with chlorhexidine in alcohol and allowed to dry; aseptic "
                              "no-touch technique."),
        "tolerance": _("The patient tolerated the procedure well."),
        "no_complications": _("None."),
        "blood_loss": _("Minimal."),
        "aftercare": _("Aftercare explained: soreness for a day or two is expected; ice and gentle movement help; "
                       "seek care for fever, spreading redness, swelling, breathlessness or chest pain."),
        "exercise": _("Home stretching of the treated muscles explained, to start today, each stretch held for "
                      "30 seconds, several times a day."),
    }[name]


def _name(user) -> str:
    if user is None:  # a session kept from before signing recorded who signed (imports, old records)
        return ""
    return user.get_full_name() or user.get_username()


def _signer(user) -> str:
    credentials = getattr(getattr(user, "staff_profile", None), "credentials", "")
    return f"{_name(user)}, {credentials}" if credentials else _name(user)


def facts_of(session: Session) -> NoteFacts:
    """Everything the note says, read from a signed session and its course."""
    course, patient = session.course, session.course.patient
    diagnosis = check_diagnosis(course.diagnosis_code)
    injections = session.injections.select_related("trigger_point").prefetch_related("mixed_agents")
    consents = ConsentRecord.objects.filter(session=session).select_related("recorded_by").order_by("recorded_at")
    snapshot = session.screen_snapshot or {}
    return NoteFacts(
        patient=patient.full_name, mrn=patient.mrn, birth_date=patient.birth_date,
        performed_at=session.performed_at, clinician=_signer(session.clinician),
        diagnosis_code=course.diagnosis_code, diagnosis_text=diagnosis.description if diagnosis.ok else None,
        pain_before=session.pain_before, pain_after=session.pain_after, relief_pct=session.immediate_relief_pct,
        signed_by=_signer(session.signed_by or session.clinician), signed_at=session.signed_at or session.performed_at,
        consents=tuple(ConsentFact(c.method, c.language, c.form_version, _name(c.recorded_by), c.recorded_at)
                       for c in consents),
        sites=tuple(SiteFact(i.trigger_point.muscle, i.trigger_point.side, i.technique, i.guidance, i.needle_gauge,
                             i.needle_length_mm, i.describe_mixture(), i.twitch_elicited) for i in injections),
        dose=snapshot.get("dose") or {}, dose_override_reason=snapshot.get("dose_override_reason") or "",
        events=tuple(EventFact(e.kind, e.severity, e.action, e.outcome)
                     for e in session.adverse_events.order_by("onset_at", "pk")),
        next_due=course.next_due_on,
        cpt=tuple(code for code in session.cpt_codes.split(",") if code),
        addons=tuple(addon["params"]["code"] for addon in superbill.imaging_addons(session)),
        notes=session.notes.strip(),
        cosignatures=tuple((_name(c.signed_by), _name(c.on_behalf_of), c.reason)
                           for c in session.cosignatures.select_related("signed_by", "on_behalf_of")),
    )


# ------------------------------------------------------------------ wording


def _when(value: datetime) -> str:
    """Dates as the session page shows them: unambiguous in every language, and pasted intact into another record."""
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _day(value: date) -> str:
    return date_format(value, "Y-m-d")


# Languages that write the names of languages in lower case ("en español").
LOWER_CASE_LANGUAGE_NAMES = {"es"}


def _language_name(code: str) -> str:
    try:
        name = str(get_language_info(code)["name_translated"])
    except KeyError:
        return code
    return name.lower() if present._lang() in LOWER_CASE_LANGUAGE_NAMES else name


def _consent(consent: ConsentFact) -> str:
    return _("Informed consent given by the patient, %(method)s, on form %(form)s in %(language)s; "
             "recorded by %(who)s at %(when)s.") % {
        "method": str(ConsentRecord.Method(consent.method).label).lower(), "form": consent.form_version,
        "language": _language_name(consent.language), "who": consent.recorded_by, "when": _when(consent.recorded_at)}


def _site(number: int, site: SiteFact) -> str:
    guidance = (_("ultrasound-guided") if site.guidance == Injection.Guidance.ULTRASOUND
                else _("landmark-guided"))
    text = _("%(n)s. %(site)s: %(technique)s approach, %(guidance)s, %(gauge)s G %(length)s mm needle; "
             "%(injectate)s; %(twitch)s.") % {
        "n": number, "site": present.site(site.muscle, site.side),
        "technique": str(Injection.Technique(site.technique).label).lower(), "guidance": guidance,
        "gauge": site.needle_gauge, "length": site.needle_length_mm, "injectate": site.injectate,
        "twitch": _("local twitch response elicited") if site.twitch else _("no local twitch response"),
    }
    return text


DOSE_STATUS = {
    "ok": lambda: _("within the limit"),
    "caution": lambda: _("at or near the limit"),
    "over": lambda: _("over the limit"),
    "unknown": lambda: _("limit unknown"),
}


def _dose_lines(dose: dict, override: str) -> list[str]:
    rows = dose.get("rows_params") or []
    lines = [present.dose_row(row) for row in rows if row]
    if not lines:
        return [_("No local anaesthetic given.")]
    total = dose.get("total_fraction")
    if total is not None:
        value, exact = percent_parts(Fraction(str(total)))
        status = DOSE_STATUS.get(dose.get("status"), lambda: dose.get("status") or "")()
        lines.append(_("Total local anaesthetic: %(pct)s of the maximum for this patient, %(status)s.") % {
            "pct": present.percentage(value, exact), "status": status})
    if override:
        lines.append(_("Reason for exceeding the limit: %(reason)s") % {"reason": override})
    return lines


def _event(event: EventFact) -> str:
    return _("%(kind)s (%(severity)s): %(action)s Outcome: %(outcome)s.") % {
        "kind": AdverseEvent.Kind(event.kind).label, "severity": str(AdverseEvent.Severity(event.severity).label).lower(),
        "action": event.action.strip().rstrip(".") + ".", "outcome": str(AdverseEvent.Outcome(event.outcome).label).lower()}


def _cpt(codes: tuple[str, ...], muscles: int, addons: tuple[str, ...] = ()) -> str:
    if not codes:
        return _("none")
    return present.comma_list([
        *(ngettext("%(code)s × 1 unit (%(muscles)s muscle)", "%(code)s × 1 unit (%(muscles)s muscles)", muscles)
          % {"code": code, "muscles": muscles} for code in codes),
        *(_("%(code)s × 1 unit (imaging guidance add-on)") % {"code": code} for code in addons)])


def build(facts: NoteFacts, phrases: Phrases = Phrases()) -> str:
    """The note's text in the active language: one heading per part, as a clinician reads it."""
    def phrase(name: str) -> str:
        return getattr(phrases, name) or default_phrase(name)

    def part(title: str, *lines: str) -> list[str]:
        return [title.upper(), *lines, ""]

    pain = _("Pain %(before)s/10 before and %(after)s/10 after the injections.") % {
        "before": facts.pain_before if facts.pain_before is not None else "?",
        "after": facts.pain_after if facts.pain_after is not None else "?"}
    if facts.relief_pct is not None:
        pain += " " + _("Immediate relief %(pct)s.") % {"pct": present.percentage(facts.relief_pct)}
    diagnosis = facts.diagnosis_code + (f" {facts.diagnosis_text}" if facts.diagnosis_text else "")
    muscles = len({(s.muscle, s.side) for s in facts.sites})
    lines = [
        _("PROCEDURE NOTE: TRIGGER POINT INJECTION"),
        _("Patient: %(name)s, MRN %(mrn)s, born %(born)s") % {
            "name": facts.patient, "mrn": facts.mrn, "born": _day(facts.birth_date)},
        _("Date: %(when)s. Clinician: %(who)s") % {"when": _when(facts.performed_at), "who": facts.clinician},
        "",
        *part(_("Indication"), _("Myofascial trigger points, ICD-10-CM %(diagnosis)s.") % {"diagnosis": diagnosis}),
        *part(_("Consent"), *([_consent(c) for c in facts.consents] or [_("No consent record.")])),
        *part(_("Time-out"), phrase("time_out")),
        *part(_("Position and skin preparation"), phrase("position"), phrase("skin_preparation")),
        *part(_("Sites"), *[_site(n, s) for n, s in enumerate(facts.sites, start=1)]),
        *part(_("Agents and total doses"), *_dose_lines(facts.dose, facts.dose_override_reason)),
        *part(_("Complications"), *([_event(e) for e in facts.events] or [phrase("no_complications")]),
              _("Estimated blood loss: %(ebl)s") % {"ebl": phrase("blood_loss")}),
        *part(_("Tolerance"), pain, phrase("tolerance") if not facts.events else
              _("See complications above.")),
        *part(_("Instructions given"), phrase("aftercare"), phrase("exercise")),
        *part(_("Next session due"), _day(facts.next_due) if facts.next_due else _("Not scheduled: the course is complete.")),
        *part(_("Coding"), _("CPT: %(cpt)s") % {"cpt": _cpt(facts.cpt, muscles, facts.addons)},
              _("ICD-10-CM: %(code)s") % {"code": facts.diagnosis_code}),
    ]
    if facts.notes:
        lines += part(_("Notes"), facts.notes)
    lines.append(_("Electronically signed by %(who)s at %(when)s.") % {"who": facts.signed_by,
                                                                      "when": _when(facts.signed_at)})
    for who, for_whom, reason in facts.cosignatures:
        lines.append(_("Co-signed by %(who)s for %(for)s. Attestation: %(reason)s") % {
            "who": who, "for": for_whom, "reason": reason})
    return "\n".join(lines).strip() + "\n"


# ------------------------------------------------------------------ keeping it


def template_of(user) -> NoteTemplate | None:
    return NoteTemplate.objects.filter(user=user).first()


def write_for(session: Session, language: str | None = None) -> ProcedureNote:
    """The session's note, written now from its facts if it has none; an existing note is returned unchanged.

    Worded by the session's clinician's template in `language` (default: the active language,
    which is the signer's interface language when signing calls it)."""
    existing = ProcedureNote.objects.filter(session_id=session.pk).first()
    if existing:
        existing.session = session  # the caller's copy, with what it prefetched: no second read of the session
        return existing
    session = Session.objects.select_related("course__patient", "clinician__staff_profile",
                                             "signed_by__staff_profile").get(pk=session.pk)
    if not session.is_signed:
        raise ValueError("A procedure note is written only for a signed session.")
    language = language or translation.get_language() or "en"
    phrases = Phrases.of(template_of(session.clinician))
    with translation.override(language):
        text = build(facts_of(session), phrases)
    return ProcedureNote.objects.create(session=session, text=text, language=language,
                                        template_version=phrases.version)


def amendments_of(session: Session):
    return Amendment.of(session)


def with_amendments(note: ProcedureNote, amendments=None) -> str:
    """The signed text with every amendment beneath it (who, when, why, what), oldest first (`amendments`:
    the session's, when the caller read them already)."""
    parts = [note.text.rstrip("\n")]
    with translation.override(note.language):
        for amendment in amendments_of(note.session) if amendments is None else amendments:
            parts.append("\n" + _("AMENDMENT by %(who)s at %(when)s. Reason: %(reason)s") % {
                "who": _name(amendment.author), "when": _when(amendment.created_at), "reason": amendment.reason})
            parts.append(amendment.text.strip())
    return "\n".join(parts) + "\n"


def ultrasound_stills(session: Session) -> list[Injection]:
    """The session's rows with an ultrasound still, in row order: shown beside the note, never in its text."""
    if "injections" in getattr(session, "_prefetched_objects_cache", {}):  # the session page read them already
        return [injection for injection in session.injections.all() if injection.ultrasound_image]
    return list(session.injections.exclude(ultrasound_image="").select_related("trigger_point"))


def still_data_uri(injection: Injection) -> str:
    """The still as a data: URI, read through the storage API (the file has no public URL to fetch)."""
    with injection.ultrasound_image.open("rb") as still:
        data = still.read()
    kind = still_kind(data) or "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def pdf(note: ProcedureNote, amendments=None, stills=None) -> bytes:
    """The note with its amendments as a PDF (A4), rendered now; the session's ultrasound stills follow the
    text, each captioned with its site. Readers get `stored_pdf`, which renders a note once."""
    from weasyprint import HTML  # heavy (pango, fonts): loaded on the first PDF, not at start-up

    stills = ultrasound_stills(note.session) if stills is None else stills
    with translation.override(note.language):
        html = render_to_string("treatment/note_pdf.html", {
            "session": note.session, "note": note, "text": with_amendments(note, amendments),
            "stills": [(injection, still_data_uri(injection)) for injection in stills]})
    return HTML(string=html).write_pdf()


def _shows(amendments, stills) -> str:
    """A digest of what a note's PDF shows beside its never-changing text: its amendments and its stills."""
    parts = [f"amendment {a.pk}" for a in amendments] + [f"still {i.pk} {i.ultrasound_image.name}" for i in stills]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def stored_pdf(note: ProcedureNote, amendments=None) -> bytes:
    """The note's PDF as printed and exported: rendered on first use and kept (NotePdf), then read back.

    Not rendered at signing: signing stays fast and never fails on a PDF, and a note read only on screen
    costs nothing. A new amendment makes a new PDF on first use. A stored file that is missing or no
    longer matches its hash is logged and the note rendered again, so a reader is never refused."""
    amendments = list(amendments_of(note.session) if amendments is None else amendments)
    stills = ultrasound_stills(note.session)
    shows = _shows(amendments, stills)
    kept = NotePdf.objects.filter(note=note, shows=shows).first()
    if kept is not None:
        data = kept.read()
        if data is not None:
            return data
        logger.error("The stored PDF of the procedure note of session %s (%s) is missing or fails its hash; "
                     "rendering the note again.", note.session_id, kept.file.name)
        return pdf(note, amendments, stills)
    data = pdf(note, amendments, stills)
    kept = NotePdf.keep(note, shows, data)
    # Another server may have kept its own rendering of the same state first: every reader gets that one.
    return data if kept.sha256 == hashlib.sha256(data).hexdigest() else (kept.read() or data)
