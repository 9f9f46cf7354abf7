from django.urls import path

from carehub.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("waiting/", views.waiting, name="waiting"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/<int:user_id>/", views.caseworker_caseload, name="caseworker_caseload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/allocate/", views.allocate, name="allocate"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("<int:pk>/goals/<int:goal_pk>/", views.goal_update, name="goal_update"),
    path("<int:pk>/safety-plan/", views.safety_plan, name="safety_plan"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/documents/new/", views.document_add, name="document_add"),
    path("<int:pk>/outcomes/start/", views.outcomes_start, name="outcomes_start"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/refer-on/", views.refer_on, name="refer_on"),
]
