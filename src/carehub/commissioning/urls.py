from django.urls import path

from carehub.commissioning import views

app_name = "commissioning"

urlpatterns = [
    path("", views.index, name="index"),
    path("scenario/", views.scenario, name="scenario"),
    path("service/<int:pk>/", views.service, name="service"),
    path("<slug:kind>", views.download, name="download"),
]
