from django.urls import path

from carehub.assessments import views

app_name = "equality"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:name>/", views.detail, name="detail"),
    path("<slug:name>/<slug:kind>", views.download, name="download"),
    path("<slug:name>/chart/<slug:metric>/<slug:characteristic>.csv", views.chart_csv, name="chart_csv"),
]
