from django.urls import include, path

from carehub.api import api
from carehub.core import views as core_views
from carehub.referrals import views as referral_views

handler404 = "carehub.core.errors.not_found"
handler500 = "carehub.core.errors.server_error"
handler403 = "carehub.core.errors.not_found"
handler400 = "carehub.core.errors.bad_request"

urlpatterns = [
    path("", core_views.start, name="start"),
    path("home/", core_views.home, name="home"),
    path("refer/", referral_views.refer, name="refer"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("carehub.accounts.urls")),
    path("directory/", include("carehub.directory.urls")),
    path("referrals/offers/", include("carehub.cases.offer_urls")),  # accepting an offer opens a case: cases' page
    path("referrals/", include("carehub.referrals.urls")),
    path("referrals/", include("carehub.repeats.urls")),  # /referrals/<reference>/possible-repeats/: repeats' own
    path("cases/", include("carehub.cases.urls")),
    path("search/", include("carehub.search.urls")),
    path("notifications/", include("carehub.notifications.urls")),
    path("audit/", include("carehub.audit.urls")),
    path("independent/", include("carehub.independent.urls")),
    path("marac/", include("carehub.marac.urls")),
    path("retention/", include("carehub.retention.urls")),
    path("insight/equality/", include("carehub.assessments.urls")),
    path("insight/duration/", include("carehub.duration.urls")),
    path("insight/commissioning/", include("carehub.commissioning.urls")),
    path("administration/services/", include("carehub.directory.administration_urls")),  # directory's own pages
    path("coproduction/", include("carehub.coproduction.urls")),
    path("rights/", include("carehub.rights.urls")),
    path("administration/", include("carehub.accounts.administration_urls")),
    path("api/v1/", api.urls),
]
