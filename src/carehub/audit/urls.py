from django.urls import path

from carehub.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    path("survivors/<int:survivor_id>/", views.survivor_access, name="survivor_access"),
]
