from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.specialist_list, name="list"),
    path("<slug:slug>/", views.profile, name="profile"),
]
