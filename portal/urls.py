from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/<int:pk>.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/consent/", views.consent, name="consent"),
    path("diary/", views.diary, name="diary"),
    path("handout.pdf", views.handout_pdf, name="handout"),
    path("staff/patients/<int:patient_pk>/handout.pdf", views.staff_handout_pdf, name="staff_handout"),
]
