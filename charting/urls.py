from django.urls import path

from charting import views

app_name = "charting"
urlpatterns = [
    path("<int:patient_pk>/trigger-points/new/", views.trigger_point_new, name="new"),
    path("trigger-points/<int:pk>/resolve/", views.trigger_point_resolve, name="resolve"),
]
