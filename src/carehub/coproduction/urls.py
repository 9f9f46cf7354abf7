from django.urls import path

from carehub.coproduction import views

app_name = "coproduction"

urlpatterns = [
    path("commitments/", views.commitment_list, name="commitments"),
    path("commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<str:public_id>/", views.commitment_detail, name="commitment"),
    path("commitments/<str:public_id>/assessments/new/", views.assessment_create, name="assessment_create"),
    path(
        "commitments/<str:public_id>/assessments/<str:assessment_id>/sign-off/",
        views.assessment_sign_off,
        name="assessment_sign_off",
    ),
    path("commitments/<str:public_id>/consultations/new/", views.consultation_open, name="consultation_open"),
    path("commitments/<str:public_id>/actions/new/", views.action_add, name="action_add"),
    path("commitments/<str:public_id>/actions/<str:action_id>/", views.action_update, name="action_update"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/<str:public_id>/", views.consultation_detail, name="consultation"),
    path("consultations/<str:public_id>/answer/", views.consultation_answer, name="consultation_answer"),
    path("consultations/<str:public_id>/points/<str:point_id>/", views.point_decide, name="point_decide"),
    path("public/<str:public_id>/", views.public_commitment, name="public_commitment"),
    path("cases/<str:public_id>/feedback-link/", views.feedback_offer, name="feedback_offer"),
    path("feedback/", views.feedback_results, name="feedback_results"),
    path("your-feedback/", views.feedback_form, name="feedback_form"),
    path("your-feedback/<str:token>/", views.feedback_start, name="feedback_start"),
    path("funding/", views.funding, name="funding"),
]
