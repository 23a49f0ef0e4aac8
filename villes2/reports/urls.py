from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.report, name="year"),
    path("<int:year>/rapport.pdf", views.report_pdf, name="pdf"),
    path("<int:year>/rapport.csv", views.report_csv, name="csv"),
]
