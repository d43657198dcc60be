from django.urls import path

from yipanqi.certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("person/<int:person_id>/issue/", views.issue, name="issue"),
    path("person/<int:person_id>/interim/", views.interim, name="interim"),
    path("interim/<int:pk>/pdf/", views.interim_pdf, name="interim_pdf"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("delegations/", views.delegations, name="delegations"),
    path("long-term/", views.long_term, name="long_term"),
    # R-CERT-5: the public check behind the QR code; no login.
    path("check/<str:token>/", views.check, name="check"),
]
