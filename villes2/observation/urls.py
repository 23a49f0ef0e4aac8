from django.urls import path

from . import views

app_name = "observation"
urlpatterns = [
    path("", views.index, name="index"),
    path("territoire/", views.go, name="go"),
    path("territoire/<str:kind>/<str:code>/", views.portrait, name="portrait"),
    path("comparer/", views.compare, name="compare"),
    path("comparer/carte.geojson", views.compare_map, name="compare_map"),
    path("comparer/export.<str:file_format>", views.compare_export, name="compare_export"),
    path("dispositif/<int:pk>/", views.scheme, name="scheme"),
    path("modele/", views.template, name="template"),
    path("modele/modele-de-collecte.<str:file_format>", views.template_file, name="template_file"),
]
