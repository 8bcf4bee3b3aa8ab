"""The session workflow's screen, consent and adverse-event pages, under /safety/ with their `safety:` names."""
from django.urls import path

from treatment import screening_views as views

app_name = "safety"
urlpatterns = [
    path("sessions/<int:pk>/check/", views.live_check, name="check"),
    path("sessions/<int:pk>/consent/", views.consent, name="consent"),
    path("consents/<int:pk>.pdf", views.consent_pdf, name="consent_pdf"),
    path("sessions/<int:pk>/adverse-events/new/", views.adverse_event_new, name="adverse_event_new"),
    path("adverse-events/<int:pk>/edit/", views.adverse_event_edit, name="adverse_event_edit"),
    path("adverse-events/", views.adverse_event_report, name="adverse_event_report"),
]
