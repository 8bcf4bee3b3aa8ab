from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.report, name="report"),
    path("patients/<int:patient_pk>/", views.patient_report, name="patient"),
    path("patients/<int:patient_pk>/disclosures/", views.disclosures, name="disclosures"),
    path("users/<int:user_pk>/", views.user_report, name="user"),
    path("export.csv", views.export_csv, name="export"),
    path("amend/session/<int:pk>/", views.amend_session, name="amend_session"),
    path("rejected/<int:pk>/", views.rejected_edit, name="rejected"),
]
