from django.urls import path

from library import views

app_name = "library"
urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review_list, name="review_list"),
    path("review/<str:kind>/<slug:key>/<str:language>/", views.review_text, name="review_text"),
    path("<slug:slug>/", views.article, name="article"),
]
