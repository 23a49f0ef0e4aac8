"""The feeds under /flux/ (ARCHITECTURE.md §6): each app defines its feeds, this module
routes them. French only (outside i18n_patterns): item links point at the French site."""

from django.urls import path

from villes2.documents.feeds import NewDocumentsAtom, NewDocumentsRss
from villes2.practices.feeds import NewPracticesAtom, NewPracticesRss

app_name = "feeds"
urlpatterns = [
    path("documents.rss", NewDocumentsRss(), name="documents_rss"),
    path("documents.atom", NewDocumentsAtom(), name="documents_atom"),
    path("documents/<slug:theme>.rss", NewDocumentsRss(), name="documents_theme_rss"),
    path("documents/<slug:theme>.atom", NewDocumentsAtom(), name="documents_theme_atom"),
    path("experiences.rss", NewPracticesRss(), name="practices_rss"),
    path("experiences.atom", NewPracticesAtom(), name="practices_atom"),
]
