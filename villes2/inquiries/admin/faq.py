"""Back office: FaqEntry (first version, to be completed)."""

from django.contrib import admin

from ..models import FaqEntry


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    pass
