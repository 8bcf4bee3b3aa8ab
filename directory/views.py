"""Public specialists directory: browse with filters, or search by complaint or body region."""
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from directory import taxonomy
from directory.forms import DirectoryFilterForm
from directory.languages import language_label
from directory.models import Specialist
from directory.search import match_complaints, specialties_for, specialty_scores_for_codes


def _reader_language() -> str:
    return (get_language() or "en").split("-")[0]


def _languages(specialist):
    return [{"tag": tag, "label": language_label(tag)} for tag in specialist.language_list]


def specialist_list(request):
    form = DirectoryFilterForm(request.GET or None)
    specialists = Specialist.objects.prefetch_related("locations")
    query, complaints, specialties, scores, unmatched = "", [], [], None, False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["specialty"]:
            specialists = specialists.with_taxonomy(taxonomy.family(data["specialty"]))
        if data["language"]:
            specialists = specialists.speaking(data["language"])
        if data["location"]:
            specialists = specialists.filter(locations=data["location"])
        if data["accepting"]:
            specialists = specialists.filter(accepting_new_patients=True)
        if data["tpi"]:
            specialists = specialists.filter(performs_trigger_point_injections=True)
        query = data["q"].strip()
        if query:
            lang = _reader_language()
            complaints = [match.complaint.label_for(lang) for match in match_complaints(query)[:3]]
            codes = specialties_for(query)
            if codes:
                specialties = [taxonomy.label(code) for code, _score in codes[:6]]
                scores = specialty_scores_for_codes(codes)
                specialists = specialists.with_taxonomy(scores)
            else:
                unmatched = True
    results = list(specialists.distinct())
    if scores:
        results.sort(key=lambda item: (-scores.get(item.taxonomy_code, 0), item.name))
    for item in results:
        item.language_labels = _languages(item)
    return render(request, "directory/list.html", {
        "form": form,
        "results": results,
        "query": query,
        "complaints": complaints,
        "specialties": specialties,
        "unmatched": unmatched,
    })


def profile(request, slug):
    specialist = get_object_or_404(Specialist.objects.prefetch_related("locations"), slug=slug)
    return render(request, "directory/profile.html", {
        "specialist": specialist,
        "languages": _languages(specialist),
        "taxonomy": specialist.taxonomy,
    })
