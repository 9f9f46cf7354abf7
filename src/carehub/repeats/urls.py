"""Repeats' own routes, mounted under /referrals/ by the root urls: the paths users know stay where they were, but
referrals no longer imports repeats (repeats is the higher app; see .importlinter)."""

from django.urls import path

from carehub.repeats import views

app_name = "repeats"
urlpatterns = [
    path("<str:reference>/possible-repeats/", views.decide, name="decide"),
    path("<str:reference>/possible-repeats/undo/", views.undo, name="undo"),
]
