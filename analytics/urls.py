from django.urls import path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("outcomes.csv", views.outcomes_csv, name="outcomes_csv"),
    path("refresh/", views.refresh, name="refresh"),
]
