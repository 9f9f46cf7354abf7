from django.urls import path

from carehub.retention import views

app_name = "retention"
urlpatterns = [
    path("holds/", views.holds, name="holds"),
    path("holds/<str:public_id>/lift/", views.lift, name="lift"),
]
