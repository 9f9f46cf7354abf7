from django.urls import path

from carehub.marac import views

app_name = "marac"
urlpatterns = [
    path("", views.marac_list, name="list"),
    path("<str:public_id>/", views.detail, name="detail"),
]
