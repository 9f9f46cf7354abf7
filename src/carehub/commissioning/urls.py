from django.urls import path

from carehub.commissioning import views

app_name = "commissioning"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>", views.download, name="download"),
]
