from django.urls import path

from carehub.independent import views

app_name = "independent"
urlpatterns = [
    path("accountability/", views.accountability, name="accountability"),
    path("cases/<str:public_id>/", views.case_workspace, name="case"),
    path("cases/<str:public_id>/risk/", views.risk, name="risk"),
]
