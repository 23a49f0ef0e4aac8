"""Back office: Intervention (first version, to be completed)."""

from django.contrib import admin

from ..models import Intervention


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    pass
