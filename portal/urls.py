from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("visits/", views.visit_history, name="visits"),
    path("appointments/<int:appointment_pk>.ics", views.appointment_ics, name="appointment_ics"),
    path("appointments/<int:appointment_pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:appointment_pk>/change/", views.appointment_request, name="appointment_change"),
    path("appointments/request/", views.appointment_request, name="appointment_request"),
    path("reminders/", views.reminders, name="reminders"),
    path("sessions/<int:pk>/consent/", views.consent, name="consent"),
    path("diary/", views.diary, name="diary"),
    path("handout.pdf", views.handout_pdf, name="handout"),
    path("staff/patients/<int:patient_pk>/handout.pdf", views.staff_handout_pdf, name="staff_handout"),
]
