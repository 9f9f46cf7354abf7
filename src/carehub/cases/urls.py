from django.urls import path

from carehub.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("waiting/", views.waiting, name="waiting"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/<int:user_id>/", views.caseworker_caseload, name="caseworker_caseload"),
    path("closures/", views.closures, name="closures"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/allocate/", views.allocate, name="allocate"),
    path("<str:public_id>/transfer/", views.transfer, name="transfer"),
    path("<str:public_id>/goals/new/", views.goal_add, name="goal_add"),
    path("<str:public_id>/goals/<str:goal_id>/", views.goal_update, name="goal_update"),
    path("<str:public_id>/safety-plan/", views.safety_plan, name="safety_plan"),
    path("<str:public_id>/contacts/new/", views.contact_add, name="contact_add"),
    path("<str:public_id>/documents/new/", views.document_add, name="document_add"),
    path("<str:public_id>/outcomes/start/", views.outcomes_start, name="outcomes_start"),
    path("<str:public_id>/close/", views.close, name="close"),
    path("<str:public_id>/closure/", views.closure_decide, name="closure_decide"),
    path("<str:public_id>/reopen/", views.reopen, name="reopen"),
    path("<str:public_id>/refer-on/", views.refer_on, name="refer_on"),
]
