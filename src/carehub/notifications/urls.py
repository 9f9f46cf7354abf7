from django.urls import path

from carehub.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<str:public_id>/open/", views.notification_open, name="open"),
    path("read/", views.notifications_read, name="read_all"),
    path("preference/", views.preference, name="preference"),
]
