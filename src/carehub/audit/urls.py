from django.urls import path

from carehub.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    path("survivors/<str:public_id>/", views.survivor_access, name="survivor_access"),
    path("sealed/", views.sealed_events, name="sealed_events"),
    path("sealed/survivors/<str:public_id>/", views.sealed_survivor_access, name="sealed_survivor_access"),
]
