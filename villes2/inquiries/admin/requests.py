"""Back office: Inquiry (first version, to be completed)."""

from django.contrib import admin

from ..models import Inquiry


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    pass
