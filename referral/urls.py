from django.urls import path

from referral import views

app_name = "referral"
urlpatterns = [
    path("<int:patient_pk>/rank/", views.rank_view, name="rank"),
    path("<int:patient_pk>/drawings/", views.save_drawing, name="save_drawing"),
    path("<int:patient_pk>/examination/", views.examine, name="examine"),
    path("<int:patient_pk>/examination/chart/", views.chart_examined, name="chart_examined"),
]
