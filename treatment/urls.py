from django.urls import path

from treatment import note_views, views

app_name = "treatment"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("new/<int:patient_pk>/", views.course_new, name="course_new"),
    path("<int:pk>/", views.course_detail, name="course"),
    path("<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_edit, name="session"),
    path("sessions/<int:pk>/sign/", views.session_sign, name="session_sign"),
    path("favourites/", views.favourites, name="favourites"),
    path("lots/", views.lot_report, name="lot_report"),

    path("sessions/<int:pk>/note.txt", note_views.note_text, name="note_text"),
    path("sessions/<int:pk>/note.pdf", note_views.note_pdf, name="note_pdf"),
    path("sessions/<int:pk>/superbill.csv", note_views.superbill_csv, name="superbill_csv"),
    path("sessions/<int:pk>/superbill.pdf", note_views.superbill_pdf, name="superbill_pdf"),
    path("injections/<int:pk>/ultrasound/", note_views.ultrasound_still, name="ultrasound_still"),
    path("note-wording/", note_views.note_template, name="note_template"),
]
