from django.urls import path

from patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_edit, name="new"),
    path("<int:pk>/", views.chart, name="chart"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
]
