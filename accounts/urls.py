from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("code/", views.verify, name="mfa_verify"),
    path("enrol/", views.enrol, name="mfa_enrol"),
    path("idle-logout/", views.idle_logout, name="idle_logout"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("defaults/", views.my_defaults, name="my_defaults"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDone.as_view(), name="password_change_done"),
    path("reset/", views.PasswordReset.as_view(), name="password_reset"),
    path("reset/sent/", views.PasswordResetSent.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("reset/done/", views.PasswordResetComplete.as_view(), name="password_reset_complete"),
]
