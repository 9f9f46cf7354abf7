from django.urls import path

from carehub.directory import administration, views

app_name = "directory"
urlpatterns = [
    path("", views.service_list, name="list"),
    path("services/<int:pk>/", views.service_detail, name="detail"),
    path("services/<int:pk>/capacity/", administration.capacity, name="capacity"),
]
