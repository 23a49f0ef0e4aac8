from django.urls import path

from . import views

app_name = "accounts"

# Under /gestion/double-authentification/ (config/urls.py), before the admin's catch-all.
urlpatterns = [
    path("", views.second_factor, name="second_factor"),
    path("application/", views.second_factor_setup, name="second_factor_setup"),
    path("compte/", views.second_factor_account, name="second_factor_account"),
]
