from django.urls import path

from carehub.duration import views

app_name = "duration"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>", views.download, name="download"),
]
