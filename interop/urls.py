"""/api/v1/ (JSON API, see api.py) and /fhir (the FHIR R4 server, see views.py and fhir_server.py)."""
from django.urls import path, re_path

from oauth2_provider import views as oauth

from interop import bulk, smart_views, views
from interop.api import api

app_name = "interop"
TYPE = r"(?P<resource_type>[A-Z][A-Za-z]{1,63})"
ID = r"(?P<ident>[A-Za-z0-9\-.]{1,64})"
urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", views.api_not_found),
    path("fhir/metadata", views.metadata, name="fhir-metadata"),
    path(".well-known/smart-configuration", smart_views.smart_configuration, name="smart-configuration"),
    path("fhir/.well-known/smart-configuration", smart_views.smart_configuration),
    path("oauth/authorize", smart_views.SmartAuthorizeView.as_view(), name="smart-authorize"),
    path("oauth/token", oauth.TokenView.as_view(), name="smart-token"),
    path("oauth/launch", smart_views.ehr_launch, name="smart-launch"),
    path("oauth/launch/open", smart_views.open_app, name="smart-launch-open"),
    path("oauth/introspect", smart_views.SmartIntrospectView.as_view(), name="smart-introspect"),
    path("oauth/revoke", oauth.RevokeTokenView.as_view(), name="smart-revoke"),
    path("oauth/jwks", oauth.JwksInfoView.as_view(), name="smart-jwks"),
    path("fhir/Patient/<str:pk>/$everything", views.patient_everything, name="fhir-everything"),
    path("fhir/$export", bulk.kick_off, name="fhir-export-system"),
    path("fhir/Patient/$export", bulk.kick_off, name="fhir-export-patients"),
    path("fhir/Group/<str:group>/$export", bulk.kick_off, name="fhir-export-group"),
    path("fhir/$export-status/<uuid:pk>", bulk.status, name="fhir-export-status"),
    path("fhir/$export-file/<uuid:pk>/<str:resource_type>.ndjson", bulk.output_file, name="fhir-export-file"),
    re_path(rf"^fhir/{TYPE}$", views.fhir_search, name="fhir-search"),
    re_path(rf"^fhir/{TYPE}/_search$", views.fhir_search_post, name="fhir-search-post"),
    re_path(rf"^fhir/{TYPE}/{ID}/_history$", views.fhir_history, name="fhir-history"),
    re_path(rf"^fhir/{TYPE}/{ID}/_history/(?P<vid>[A-Za-z0-9\-.]{{1,64}})$", views.fhir_vread, name="fhir-vread"),
    re_path(rf"^fhir/{TYPE}/{ID}$", views.fhir_read, name="fhir-read"),
    path("fhir/", views.fhir_post, name="fhir-import"),
    re_path(r"^fhir/", views.fhir_not_found),
]
