"""Public health-library pages: no login, for patients and families.

The article is shown in the reader's language (the active Django language) when that version
exists; otherwise in English, with a notice in the reader's language saying so.
"""
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required
from library import articles as content
from library import review
from tpclinic.language import direction as text_direction

CATEGORY_LABELS = {
    "treatment": _("Treatment"),
    "aftercare": _("Aftercare"),
    "exercises": _("Home exercises"),
    "conditions": _("Conditions"),
    "orthopaedics": _("Bones and joints"),
}
STATUS_LABELS = {
    "clinically-reviewed": _("Clinically reviewed"),
    "draft": _("Draft, not yet clinically reviewed"),
}


def reader_language(request) -> str:
    return content.normalise_language(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE)


def language_name(code: str) -> str:
    """The language's own name (Español, العربية), which a reader recognises in any interface."""
    for known, name in settings.LANGUAGES:
        if known == code:
            return name
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def index(request):
    library = content.get_library()
    lang = reader_language(request)
    query = request.GET.get("q", "").strip()[:200]
    hits = content.search(query, lang, library=library) if query else []
    groups = []
    for category in content.CATEGORIES:
        items = [shown for shown in library.all_shown(lang) if shown.article.category == category]
        items.sort(key=lambda shown: content.fold(shown.article.title))
        if items:
            groups.append({"key": category, "label": CATEGORY_LABELS[category], "items": items})
    return render(request, "library/index.html", {
        "query": query,
        "hits": hits,
        "groups": groups,
        "reader_language": lang,
        "reader_language_name": language_name(lang),
    })


def article(request, slug):
    library = content.get_library()
    if slug not in library.articles:
        raise Http404("No such article.")
    lang = reader_language(request)
    shown = library.show(slug, lang)
    item = shown.article
    other_languages = [
        {"code": code, "name": language_name(code)} for code in library.languages(slug) if code != item.lang
    ]
    context = {
        "shown": shown,
        "article": item,
        "article_language_name": language_name(item.lang),
        "reader_language": lang,
        "reader_language_name": language_name(lang),
        "category_label": CATEGORY_LABELS[item.category],
        "status_label": STATUS_LABELS[item.translation_status],
        "review_status": review.status_of("article", slug, item.lang),
        "related": content.related_articles(slug, lang, library=library),
        "other_languages": other_languages,
        "printed_on": timezone.localdate(),
    }
    template = "library/article_print.html" if request.GET.get("print") == "1" else "library/article.html"
    return render(request, template, context)


# ------------------------------------------------------------------ clinical review of patient texts



reviewer_required = staff_required(review.can_review)
KIND_LABELS = {
    "article": _("Health library article"),
    "consent": _("Consent form"),
    "handout": _("Patient handout"),
}


@reviewer_required
def review_list(request):
    """Every patient text in every language, with its state, reviewer and date."""
    rows = review.statuses()
    counts = {state: sum(1 for row in rows if row.state == state) for state in (review.DRAFT, review.REVIEWED)}
    return render(request, "library/review_list.html", {
        "rows": rows, "counts": counts, "kind_labels": KIND_LABELS,
    })


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_text(request, kind, key, language):
    """Read one text as patients see it and approve today's wording."""
    text = review.find(kind, key, language)
    if text is None:
        raise Http404("No such text.")
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm you have read the whole text."))
        else:
            review.approve(text, request.user, request.POST.get("note", ""), request=request)
            messages.success(request, _("Approved: patients now see who reviewed this text and when."))
            return redirect("library:review_text", kind=kind, key=key, language=language)
    status = review.statuses([text])[0]
    return render(request, "library/review_text.html", {
        "status": status, "text": text, "kind_label": KIND_LABELS[text.kind],
        "direction": text_direction(text.language),
    })
