from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("day/", views.day, name="day"),
    path("book/<int:course_pk>/", views.book, name="book"),
    path("appointments/<int:appointment_pk>/check-in/", views.check_in, name="check_in"),
    path("appointments/<int:appointment_pk>/no-show/", views.no_show, name="no_show"),
    path("appointments/<int:appointment_pk>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:appointment_pk>.ics", views.appointment_ics, name="ics"),
    path("requests/", views.requests, name="requests"),
    path("hours/", views.hours, name="hours"),
]
