from django.urls import path

from carehub.accounts import otp_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("second-factor/", otp_views.verify, name="otp_verify"),
    path("second-factor/set-up/", otp_views.setup, name="otp_setup"),
    path("invitation/set-password/", views.invitation_password, name="invitation_password"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("roles-awaiting-you/<int:pk>/", views.membership_decision, name="membership_decision"),
]
