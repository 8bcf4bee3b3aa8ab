"""Which patient texts exist, whether each is reviewed, and approving one.

Texts: every language version of every library article, of the consent form
(safety/data/consent_forms.toml) and of the patient handout (portal/data/handout.toml). A text is
*reviewed* when a TextReview matches the fingerprint of the wording shipped today, otherwise a
*draft* (a changed text falls back to draft and says when its last review was). Only a clinician
in the "Content reviewers" group may approve; every approval is an audit event with the state
before and after.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Role
from accounts.roles import role_of
from audit.models import Action
from audit.record import write as audit_write
from library import articles
from library.models import TextReview

REVIEWER_GROUP = "Content reviewers"
DRAFT, REVIEWED = "draft", "reviewed"


def _data_file(app: str, name: str) -> Path:
    return Path(apps.get_app_config(app).path) / "data" / name


def _toml(app: str, name: str) -> dict:
    with open(_data_file(app, name), "rb") as handle:
        return tomllib.load(handle)


def fingerprint(value) -> str:
    """SHA-256 of a text, or of a TOML table as canonical JSON (key order does not matter)."""
    raw = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Text:
    kind: str
    key: str
    language: str
    title: str
    fingerprint: str
    version: str
    html: str = ""  # articles: their rendered body
    sections: tuple = ()  # consent form and handout: (heading, (line, ...)) pairs

    @property
    def ident(self) -> tuple[str, str, str]:
        return self.kind, self.key, self.language


def _sections(table: dict, skip: frozenset) -> tuple:
    """A TOML table of strings and lists of strings, as (heading, lines) pairs in file order."""
    found = []
    for name, value in table.items():
        if name in skip:
            continue
        if isinstance(value, str):
            found.append((name, (value,)))
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            found.append((name, tuple(value)))
        elif isinstance(value, dict):
            for sub, inner in _sections(value, skip):
                found.append((f"{name}.{sub}", inner))
    return tuple(found)


STATE_KEYS = frozenset({"status", "reviewer", "status_date"})


def texts() -> list[Text]:
    found = []
    library = articles.get_library()
    for slug in library.slugs():
        for lang, article in sorted(library.articles[slug].items()):
            raw = (articles.CONTENT_DIR / slug / f"{lang}.md").read_text(encoding="utf-8")
            found.append(Text(TextReview.Kind.ARTICLE, slug, lang, article.title, fingerprint(raw),
                              article.reviewed_on.isoformat(), html=article.html))
    for kind, app, name, tables, key in (
        (TextReview.Kind.CONSENT, "safety", "consent_forms.toml", "forms", "form"),
        (TextReview.Kind.HANDOUT, "portal", "handout.toml", "texts", "handout"),
    ):
        data = _toml(app, name)
        for lang, table in sorted(data[tables].items()):
            wording = {k: v for k, v in table.items() if k not in STATE_KEYS}
            if kind == TextReview.Kind.CONSENT:
                wording["flags"] = data.get("flags", {}).get(lang, {})
            found.append(Text(kind, key, lang, table["title"], fingerprint(wording), str(data["version"]),
                              sections=_sections(wording, STATE_KEYS)))
    return found


def find(kind: str, key: str, language: str) -> Text | None:
    return next((text for text in texts() if text.ident == (kind, key, language)), None)


@dataclass(frozen=True)
class Status:
    text: Text
    state: str  # draft | reviewed
    review: TextReview | None  # the review of today's wording
    last_review: TextReview | None  # the latest review of any wording (an older one when draft)

    @property
    def reviewed_on(self) -> date | None:
        return self.review.reviewed_at.date() if self.review else None


def statuses(selected: list[Text] | None = None) -> list[Status]:
    selected = texts() if selected is None else selected
    by_text: dict[tuple, list[TextReview]] = {}
    for review in TextReview.objects.select_related("reviewer").order_by("-reviewed_at", "-id"):
        by_text.setdefault((review.kind, review.key, review.language), []).append(review)
    result = []
    for text in selected:
        history = by_text.get(text.ident, [])
        current = next((r for r in history if r.fingerprint == text.fingerprint), None)
        result.append(Status(text, REVIEWED if current else DRAFT, current, history[0] if history else None))
    return result


def status_of(kind: str, key: str, language: str) -> Status | None:
    text = find(kind, key, language)
    return statuses([text])[0] if text else None


def can_review(user) -> bool:
    """A clinician who is in the content reviewers group (granted by an administrator)."""
    return role_of(user) == Role.CLINICIAN and user.groups.filter(name=REVIEWER_GROUP).exists()


def reviewers_group() -> Group:
    return Group.objects.get_or_create(name=REVIEWER_GROUP)[0]


class ReviewRefused(PermissionError):
    pass


def approve(text: Text, user, note: str = "", request=None) -> TextReview:
    """Record that `user` approved today's wording of `text`; an audit event says before and after."""
    if not can_review(user):
        raise ReviewRefused("Only a clinician with the reviewer role can approve a text.")
    before = statuses([text])[0]
    with transaction.atomic():
        review = TextReview.objects.create(
            kind=text.kind, key=text.key, language=text.language, fingerprint=text.fingerprint,
            version=text.version, reviewer=user, reviewer_name=user.get_full_name() or user.get_username(),
            note=note.strip()[:500],
        )
        audit_write(
            Action.CREATE, request=request, user=user, object_type="library.textreview", object_id=str(review.pk),
            detail=(f"{text.kind} {text.key} [{text.language}] {before.state} -> {REVIEWED} "
                    f"(wording {text.fingerprint[:12]}, version {text.version})")[:255],
        )
    return review
