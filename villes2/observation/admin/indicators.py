from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import Indicator, SchemeIndicator, Source


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ("code", "producer", "dataset", "vintage", "synthetic")
    list_filter = ("synthetic", "producer")
    search_fields = ("code", "producer", "dataset", "vintage")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("code", "producer", "dataset", "vintage", "licence", "url")}),
        (_("Synthetic data"), {"fields": ("synthetic",)}),
        (None, {"fields": ("notes",)}),
    )


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "label",
        "unit",
        "type",
        "aggregation",
        "periodicity",
        "census_based",
        "position",
    )
    list_filter = ("type", "aggregation", "periodicity", "census_based")
    search_fields = ("code", "label", "label_en")
    autocomplete_fields = ("themes",)
    fieldsets = (
        (None, {"fields": ("code", "label", "label_en", "definition", "definition_en")}),
        (
            _("Values"),
            {
                "fields": (
                    "unit",
                    "type",
                    "rate_base",
                    "decimals",
                    "periodicity",
                    "aggregation",
                )
            },
        ),
        (
            _("Comparability"),
            {"fields": ("census_based", "comparability_notes")},
        ),
        (None, {"fields": ("themes", "position")}),
    )


@admin.register(SchemeIndicator)
class SchemeIndicatorAdmin(admin.ModelAdmin):
    list_display = ("scheme", "indicator", "position")
    list_select_related = ("scheme", "indicator")
    list_filter = ("scheme__kind",)
    search_fields = ("scheme__name", "indicator__code", "indicator__label")
    autocomplete_fields = ("scheme", "indicator")
