from django.urls import path

from .views import public

app_name = "inquiries"

urlpatterns = [
    path("", public.index, name="index"),
    path("nouvelle/", public.inquiry_new, name="new"),
    path("nouvelle/merci/", public.inquiry_done, name="done"),
    path("suivi/<str:token>/", public.inquiry_track, name="track"),
    path("faq/", public.faq_list, name="faq"),
    path("faq/<int:pk>/", public.faq_detail, name="faq_detail"),
]
