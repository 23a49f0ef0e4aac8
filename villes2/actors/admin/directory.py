import json

from django.contrib import admin
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villes2.core.admin import ConcurrentEditAdminMixin

from .. import selectors, services
from ..models import (
    Consent,
    Mandate,
    Membership,
    NetworkMembership,
    Organisation,
    Person,
    Tag,
)
from .exports import export_csv, export_xlsx
from .merge import OrganisationDuplicateForm, PersonDuplicateForm, merge_duplicates
from .privacy import PersonPrivacyAdminMixin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation", "person")


@admin.register(Organisation)
class OrganisationAdmin(ConcurrentEditAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "acronym", "kind", "siren")
    list_filter = ("kind",)
    search_fields = ("name", "acronym", "search_text")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent", "territories", "themes")
    readonly_fields = ("search_text",)
    # A website typed without scheme is taken as https (Django 6's default, set now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    form = OrganisationDuplicateForm
    actions = [export_csv, export_xlsx, merge_duplicates]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.organisation_search_text_refresh(organisation=form.instance)


@admin.register(Person)
class PersonAdmin(PersonPrivacyAdminMixin, ConcurrentEditAdminMixin, SimpleHistoryAdmin):
    list_display = ("last_name", "first_name", "job_title", "informed_on")
    list_filter = ()  # and the GDPR filters of PersonPrivacyAdminMixin
    search_fields = ("last_name", "first_name", "search_text")
    prepopulated_fields = {"slug": ("first_name", "last_name")}
    autocomplete_fields = ("territories", "themes")
    readonly_fields = ("search_text",)
    inlines = [MembershipInline]
    form = PersonDuplicateForm
    actions = ["export_json", export_csv, export_xlsx, merge_duplicates]

    # Like the CSV/XLSX exports, it takes the right to change entries, not just to view.
    @admin.action(
        description=_("Export everything about these persons (JSON, GDPR)"),
        permissions=["change"],
    )
    def export_json(self, request, queryset):
        persons = list(queryset)
        exports = [selectors.person_export(person) for person in persons]
        # One line on the security log (user, persons' numbers), written by the service.
        services.data_export_log(
            user=request.user,
            what=services.EXPORT_PERSON_DATA,
            file_format="json",
            row_count=len(exports),
            filters=request.GET.urlencode(),
            person_ids=[person.pk for person in persons],
        )
        response = HttpResponse(
            json.dumps(exports, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="villes2-personnes.json"'
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.person_search_text_refresh(person=form.instance)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Mandate)
class MandateAdmin(SimpleHistoryAdmin):
    list_display = ("person", "office", "start_date", "end_date")
    list_filter = ("office",)
    autocomplete_fields = ("person",)


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(admin.ModelAdmin):
    list_display = ("network", "organisation", "person", "start_date", "end_date")
    autocomplete_fields = ("network", "organisation", "person")


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """The ledger: a recorded consent is never rewritten, only its withdrawal entered."""

    list_display = ("person", "purpose", "given_at", "withdrawn_at", "channel", "text_version")
    list_filter = ("purpose",)
    autocomplete_fields = ("person",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("person", "purpose", "fields", "given_at", "channel", "text_version")
