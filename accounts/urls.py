from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("code/", views.verify, name="mfa_verify"),
    path("enrol/", views.enrol, name="mfa_enrol"),
    path("idle-logout/", views.idle_logout, name="idle_logout"),
    path("keepalive/", views.keepalive, name="keepalive"),
]
