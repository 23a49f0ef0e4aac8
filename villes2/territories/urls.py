from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("", views.index, name="index"),
    path("carte.geojson", views.centre_geojson, name="centre_geojson"),
    path("recherche/", views.search, name="search"),
    path("suggestions/", views.suggest, name="suggest"),
    path("aller/", views.go, name="go"),
    path("<str:kind>/<str:code>/", views.detail, name="detail"),
    path("<str:kind>/<str:code>/carte.geojson", views.detail_geojson, name="detail_geojson"),
]
