from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tpclinic import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),  # staff second step: /account/code/, /account/enrol/
    path("audit/", include("audit.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/dismiss/", views.dismiss_language, name="dismiss_language"),
    path("admin/", admin.site.urls),
    path("patients/", include("patients.urls")),
    path("chart/", include("charting.urls")),
    path("courses/", include("treatment.urls")),
    path("referral/", include("referral.urls")),
    path("safety/", include("treatment.safety_urls")),
    path("library/", include("library.urls")),
    path("specialists/", include("directory.urls")),
    path("portal/", include("portal.urls")),
    path("analytics/", include("analytics.urls")),
    path("schedule/", include("scheduling.urls")),
    path("", include("interop.urls")),
]
