from django.urls import path

from .views import catalogue, files

app_name = "documents"
urlpatterns = [
    path("", catalogue.document_list, name="list"),
    path("<int:pk>/", catalogue.document_detail, name="detail"),
    path("<int:pk>/fichiers/<int:attachment_pk>/", files.attachment, name="attachment"),
]
