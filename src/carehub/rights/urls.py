from django.urls import path

from carehub.rights import views

app_name = "rights"
urlpatterns = [
    path("", views.index, name="index"),
    path("survivors/<str:public_id>/", views.survivor, name="survivor"),
    path("survivors/<str:public_id>/access/new/", views.access_open, name="access_open"),
    path("survivors/<str:public_id>/erasure/new/", views.erasure_open, name="erasure_open"),
    path("survivors/<str:public_id>/correct/", views.rectify, name="rectify"),
    path("access/<str:public_id>/", views.access, name="access"),
    path("access/<str:public_id>/extend/", views.access_extend, name="access_extend"),
    path("access/<str:public_id>/review/", views.access_review, name="access_review"),
    path("access/<str:public_id>/release/", views.access_release, name="access_release"),
    path("access/<str:public_id>/download/<str:kind>/", views.access_download, name="access_download"),
    path("erasure/<str:public_id>/", views.erasure, name="erasure"),
    path("erasure/<str:public_id>/carry-out/", views.erasure_carry_out, name="erasure_carry_out"),
]
