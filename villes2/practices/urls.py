from django.urls import path

from .views import exports, files, public, submission

app_name = "practices"
urlpatterns = [
    path("", public.practice_list, name="list"),
    path("proposer/", submission.practice_submit_view, name="submit"),
    path("proposer/merci/", submission.practice_submit_done, name="submit_done"),
    path("export.json", exports.practices_export_json, name="export_json"),
    path("export.xml", exports.practices_export_xml, name="export_xml"),
    path("format-eukn/", exports.export_format, name="export_format"),
    path("format-eukn/schema.json", exports.export_schema_json, name="export_schema_json"),
    path("format-eukn/schema.xsd", exports.export_schema_xsd, name="export_schema_xsd"),
    path("<int:pk>/", public.practice_detail, name="detail"),
    path("<int:pk>/fiche.pdf", public.practice_pdf, name="pdf"),
    path("<int:pk>/export.json", exports.practice_export_json, name="record_json"),
    path("<int:pk>/export.xml", exports.practice_export_xml, name="record_xml"),
    path("<int:pk>/pieces/<int:attachment_pk>/", files.practice_attachment, name="attachment"),
]
