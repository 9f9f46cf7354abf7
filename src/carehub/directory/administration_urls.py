from django.urls import path

from carehub.directory import administration

app_name = "service_administration"
urlpatterns = [
    path("", administration.service_list, name="services"),
    path("new/", administration.service_create, name="create"),
    path("<int:pk>/edit/", administration.service_edit, name="edit"),
]
