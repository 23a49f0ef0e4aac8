from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villes2.core.admin import ConcurrentEditAdminMixin, VersionedAdminForm

from . import selectors, services
from .models import Concept, ConceptScheme, Label, Mapping


@admin.register(ConceptScheme)
class ConceptSchemeAdmin(admin.ModelAdmin):
    list_display = ("title_fr", "slug", "is_theme_scheme", "order", "uri")
    search_fields = ("title_fr", "title_en", "slug")
    prepopulated_fields = {"slug": ("title_fr",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # Minted from THESAURUS_BASE_URI and the identifier when left empty.
        if "uri" in form.base_fields:  # absent when the user may only view
            form.base_fields["uri"].required = False
        return form

    def save_model(self, request, obj, form, change):
        if not obj.uri:
            obj.uri = services.scheme_uri(slug=obj.slug)
        super().save_model(request, obj, form, change)


class LabelInline(admin.TabularInline):
    model = Label
    extra = 1


class MappingForm(forms.ModelForm):
    class Meta:
        model = Mapping
        fields = ("relation", "target")


class MappingFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        scheme_id = self.instance.scheme_id
        for form in self.forms:
            target = form.cleaned_data.get("target") if hasattr(form, "cleaned_data") else None
            if target is None or form.cleaned_data.get("DELETE"):
                continue
            if target.scheme_id == scheme_id:
                form.add_error(
                    "target",
                    _(
                        "A mapping goes to a concept of another scheme; within the same "
                        "scheme, use broader or related concepts."
                    ),
                )


class MappingInline(admin.TabularInline):
    model = Mapping
    fk_name = "source"
    form = MappingForm
    formset = MappingFormSet
    extra = 1
    autocomplete_fields = ("target",)
    verbose_name = _("mapping to another scheme")
    verbose_name_plural = _("mappings to other schemes")


def _formfield(field, **kwargs):
    # A URI typed without scheme is taken as https (Django 6's default, set now).
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ConceptForm(VersionedAdminForm):
    class Meta:
        model = Concept
        fields = "__all__"
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Minted from THESAURUS_BASE_URI, the scheme and the identifier when left empty.
        if "uri" in self.fields:  # absent when the user may only view
            self.fields["uri"].required = False

    def clean(self):
        cleaned = super().clean()
        scheme, slug = cleaned.get("scheme"), cleaned.get("slug")
        if not cleaned.get("uri") and scheme and slug:
            cleaned["uri"] = services.concept_uri(scheme=scheme, slug=slug)
            self.instance.uri = cleaned["uri"]
        broader = list(cleaned.get("broader") or [])
        if self.instance.pk and any(c.pk == self.instance.pk for c in broader):
            self.add_error("broader", _("A concept cannot be its own broader concept."))
        elif broader:
            cycle = selectors.broader_cycle(concept=self.instance, broader=broader)
            if cycle:
                self.add_error(
                    "broader",
                    _(
                        "These broader concepts are below this concept, which would make a "
                        "cycle: %(names)s."
                    )
                    % {"names": ", ".join(str(c) for c in cycle)},
                )
            if scheme and any(c.scheme_id != scheme.pk for c in broader):
                self.add_error(
                    "broader",
                    _(
                        "A broader concept belongs to the same scheme; link concepts of "
                        "other schemes with a mapping."
                    ),
                )
        return cleaned


@admin.register(Concept)
class ConceptAdmin(ConcurrentEditAdminMixin, SimpleHistoryAdmin):
    form = ConceptForm
    list_display = ("pref_label_fr", "pref_label_en", "scheme", "deprecated")
    list_filter = ("scheme", "deprecated")
    list_select_related = ("scheme",)
    search_fields = ("pref_label_fr", "pref_label_en", "labels__text", "search_text", "slug")
    prepopulated_fields = {"slug": ("pref_label_fr",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    autocomplete_fields = ("broader", "related")
    readonly_fields = ("narrower_list",)
    inlines = [LabelInline, MappingInline]
    fieldsets = (
        (None, {"fields": ("scheme", "pref_label_fr", "pref_label_en", "slug", "uri", "notation")}),
        (_("Notes"), {"fields": ("scope_note_fr", "scope_note_en", "definition_fr")}),
        (_("Relations"), {"fields": ("broader", "narrower_list", "related")}),
        (None, {"fields": ("deprecated", "seen_version")}),
    )

    @admin.display(description=_("narrower concepts"))
    def narrower_list(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        narrower = obj.narrower.order_by("pref_label_fr")
        return format_html_join(", ", "{}", ((c.pref_label_fr,) for c in narrower)) or "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.concept_search_text_refresh(concept=form.instance)
        services.concepts_changed([form.instance.pk])

    def delete_model(self, request, obj):
        self.delete_queryset(request, Concept.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Records indexed with these concepts (or narrower ones) lose them: re-index
        # them after the deletion, in the admin's transaction.
        from villes2.core import search

        ids = list(queryset.values_list("pk", flat=True))
        lineage = selectors.concept_lineage()
        affected = search.dependents(
            "taxonomy.Concept", {pk for pk, line in lineage.items() if line & set(ids)}
        )
        super().delete_queryset(request, queryset)
        search.reindex(affected)
