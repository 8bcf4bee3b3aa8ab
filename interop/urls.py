"""/api/v1/ (JSON API, see api.py) and /fhir/ (FHIR R4 in and out, see views.py)."""
from django.urls import path, re_path

from interop import views
from interop.api import api

app_name = "interop"
urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", views.api_not_found),
    path("fhir/Patient/<str:pk>/$everything", views.patient_everything, name="fhir-everything"),
    path("fhir/", views.fhir_post, name="fhir-import"),
    re_path(r"^fhir/", views.fhir_not_found),
]
