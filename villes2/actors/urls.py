from django.urls import path

from . import views

app_name = "actors"
urlpatterns = [
    path("", views.index, name="index"),
    path("personnes/", views.persons, name="persons"),
    path("personnes/annuaire.vcf", views.persons_vcard, name="persons_vcard"),
    path("personnes/<slug:slug>/vcard.vcf", views.person_vcard, name="person_vcard"),
    path(
        "organisations/<slug:slug>/vcard.vcf", views.organisation_vcard, name="organisation_vcard"
    ),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("personnes/<slug:slug>/", views.person, name="person"),
    path("personnes/<slug:slug>/demande/", views.rights_request, name="person_request"),
    path("demande/", views.rights_request, name="rights_request"),
    path("demande/recue/<str:token>/", views.rights_request_receipt, name="rights_request_receipt"),
    path("mes-choix/<str:token>/", views.consent, name="consent"),
]

# The "about" pages, at the root of the site (see config/urls.py).
about_urlpatterns = [
    path("le-bureau/", views.board, name="board"),
    path("partenaires/", views.partners, name="partners"),
]
