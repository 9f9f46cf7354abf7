"""The offer page, /referrals/offers/<id>/, where a service manager accepts (a case opens) or declines an offer.

Declared by cases, which opens the case, and mounted under /referrals/ by the root urls so the path users know stays.
"""

from django.urls import path

from carehub.cases import views

app_name = "offers"
urlpatterns = [path("<str:public_id>/", views.offer, name="offer")]
