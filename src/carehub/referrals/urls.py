from django.urls import path

from carehub.referrals import views

app_name = "referrals"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("sent/", views.sent, name="sent"),
    path("queue/", views.queue, name="queue"),
    path("offers/", views.inbox, name="inbox"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/triage/", views.triage, name="triage"),
    path("<str:reference>/route/", views.route, name="route"),
    path("<str:reference>/consents/<str:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
