from django.urls import path

from carehub.referrals import views

app_name = "referrals"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("sent/", views.sent, name="sent"),
    path("queue/", views.queue, name="queue"),
    path("<str:reference>/", views.detail, name="detail"),
]
