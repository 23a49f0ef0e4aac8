from django.urls import path

from . import views

app_name = "taxonomy"
urlpatterns = [
    path("", views.index, name="index"),
    path("api/concepts", views.autocomplete, name="autocomplete"),
    path("<slug:scheme_slug>.ttl", views.download, {"file_format": "turtle"}, name="turtle"),
    path("<slug:scheme_slug>.rdf", views.download, {"file_format": "xml"}, name="rdfxml"),
    path("<slug:scheme_slug>/<slug:slug>/", views.concept, name="concept"),
]
