from django.urls import path

from carehub.independent import views

app_name = "independent"
urlpatterns = [
    path("accountability/", views.accountability, name="accountability"),
    path("cases/<int:pk>/", views.case_workspace, name="case"),
]
