from django.urls import path

from carehub.accounts import administration

app_name = "administration"
urlpatterns = [
    path("", administration.organisations, name="organisations"),
    path("break-glass/", administration.break_glass, name="break_glass"),
    path("organisations/new/", administration.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", administration.organisation, name="organisation"),
    path("organisations/<slug:slug>/edit/", administration.organisation_edit, name="organisation_edit"),
    path("users/", administration.users, name="users"),
    path("users/new/", administration.user_invite, name="user_invite"),
    path("users/<int:pk>/", administration.user_detail, name="user"),
    path("users/<int:pk>/memberships/", administration.membership_add, name="membership_add"),
    path("users/<int:pk>/second-factor/reset/", administration.second_factor_reset, name="second_factor_reset"),
    path("users/<int:pk>/invitation/", administration.invitation_send, name="invitation_send"),
    path("memberships/<int:pk>/toggle/", administration.membership_toggle, name="membership_toggle"),
    path("memberships/<int:pk>/role/", administration.membership_role, name="membership_role"),
    path("api-keys/", administration.api_keys, name="api_keys"),
    path("api-keys/<str:prefix>/revoke/", administration.api_key_revoke, name="api_key_revoke"),
]
