"""The outcomes page, its CSV and the button that recomputes the summary.

The page costs the same dozen queries for a clinic of ten patients or of a hundred thousand: it
reads the summary tables (analytics/summary.py), never the clinical rows one by one.
"""
import csv

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.decorators import staff_required
from analytics import charts, outcomes, summary
from tpclinic.dbrouter import reading_from_replica


class FilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Courses starting from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    clinician = forms.TypedChoiceField(label=gettext_lazy("Clinician"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [("", _("All clinicians"))] + [
            (c.pk, c.get_full_name() or c.username) for c in clinicians
        ]

    def filters(self) -> outcomes.Filters:
        if not self.is_valid():
            return outcomes.Filters()
        data = self.cleaned_data
        return outcomes.Filters(start=data.get("start"), end=data.get("end"), clinician_id=data.get("clinician"))


def _form(request) -> FilterForm:
    return FilterForm(request.GET or None, clinicians=list(roles.clinicians()))


@staff_required()
def index(request):
    form = _form(request)
    filters = form.filters()
    with reading_from_replica():  # summary tables only: a replica's lag of seconds is harmless here
        state = summary.current()
        report = outcomes.report(filters) if state.snapshot else None
    context = {"form": form, "snapshot": state.snapshot, "stale": state.stale, "report": report,
               "query": request.GET.urlencode(),
               "can_refresh": roles.can_chart(request.user) and state.can_refresh_in_a_request}
    if report:
        context["charts"] = {
            "session": charts.line_chart(report["by_session"]),
            "clinician": charts.bar_chart(report["by_clinician"]),
            "muscle": charts.bar_chart(report["muscle"]),
            "agent": charts.bar_chart(report["agent"]),
            "events": charts.rate_chart(report["events"]),
        }
    return render(request, "analytics/index.html", context)


def csv_rows(report: dict):
    """Long format: one measure per line, so a spreadsheet can pivot it any way."""
    yield ["section", "group", "measure", "numerator", "denominator", "value"]
    for section in ("by_session", "by_clinician", "muscle", "agent"):
        for group in report[section]:
            yield [section, group["key"], "responders_30pct", group["r30"], group["n"], group["share30"]]
            yield [section, group["key"], "responders_50pct", group["r50"], group["n"], group["share50"]]
    total = report["totals"]
    yield ["overall", "all", "responders_30pct", total["r30"], total["evaluable"], total["share30"]]
    yield ["overall", "all", "responders_50pct", total["r50"], total["evaluable"], total["share50"]]
    yield ["overall", "all", "median_days_to_30pct", total["responded"], "", report["median_days"]]
    for event in report["events"]:
        yield ["adverse_events", event["key"], "per_1000_injections", event["events"], total["injections"],
               event["per_1000"]]


@staff_required()
def outcomes_csv(request):
    filters = _form(request).filters()
    state = summary.current()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
    writer = csv.writer(response)
    if state.snapshot:
        with reading_from_replica():
            rows = list(csv_rows(outcomes.report(filters)))
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    return response


@require_POST
@staff_required(roles.can_chart)
def refresh(request):
    snapshot = summary.refresh()
    messages.success(request, _("Outcome figures recomputed in %(s).1f s.") % {"s": snapshot.seconds})
    return redirect("analytics:index")
