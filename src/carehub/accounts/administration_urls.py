from django.urls import path

from carehub.accounts import administration

app_name = "administration"
urlpatterns = [
    path("", administration.organisations, name="organisations"),
    path("break-glass/", administration.break_glass, name="break_glass"),
    path("organisations/<slug:slug>/", administration.organisation, name="organisation"),
    path("memberships/<int:pk>/toggle/", administration.membership_toggle, name="membership_toggle"),
]
