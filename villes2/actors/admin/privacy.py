"""Data protection in `/gestion/`: rights requests and their due dates, persons not yet
informed, the information e-mail, erasure, and the read-only log of erasures."""

from __future__ import annotations

import datetime
from smtplib import SMTPException

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.deletion import ProtectedError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villes2.core.admin import ReadOnlyModelAdmin

from .. import selectors, services
from ..models import (
    OPEN_STATUSES,
    Consent,
    Erasure,
    ErasureReason,
    RightKind,
    RightsRequest,
)


class InformedFilter(admin.SimpleListFilter):
    """GDPR art. 14: who has been told of their listing."""

    title = _("informed of the listing")
    parameter_name = "informe"

    def lookups(self, request, model_admin):
        return [("non", _("Not yet informed")), ("oui", _("Informed"))]

    def queryset(self, request, queryset):
        if self.value() == "non":
            return queryset.filter(informed_on__isnull=True)
        if self.value() == "oui":
            return queryset.filter(informed_on__isnull=False)
        return queryset


class RestrictedFilter(admin.SimpleListFilter):
    title = _("processing restricted")
    parameter_name = "limitee"

    def lookups(self, request, model_admin):
        return [("oui", _("Restricted"))]

    def queryset(self, request, queryset):
        return queryset.filter(processing_restricted=True) if self.value() == "oui" else queryset


@admin.action(description=_("Record that these persons were informed today (art. 14)"))
def mark_informed(modeladmin, request, queryset):
    count = services.persons_mark_informed(persons=queryset.filter(informed_on__isnull=True))
    modeladmin.message_user(
        request, _("%(count)s person(s) recorded as informed today.") % {"count": count}
    )


@admin.action(description=_("E-mail the information and the link to their choices"))
def send_information(modeladmin, request, queryset):
    base_url = request.build_absolute_uri("/").rstrip("/")
    sent = skipped = failed = 0
    for person in queryset:
        try:
            if services.person_information_send(person=person, base_url=base_url):
                sent += 1
            else:
                skipped += 1
        except (SMTPException, OSError):
            failed += 1
    modeladmin.message_user(request, _("%(count)s message(s) sent.") % {"count": sent})
    if skipped:
        modeladmin.message_user(
            request,
            _(
                "%(count)s person(s) have no e-mail address or their processing is "
                "restricted: inform them by post or phone, then record it."
            )
            % {"count": skipped},
            messages.WARNING,
        )
    if failed:
        modeladmin.message_user(
            request,
            _(
                "%(count)s message(s) could not be sent (mail server error): nothing was "
                "recorded for them; try again later."
            )
            % {"count": failed},
            messages.ERROR,
        )


@admin.action(description=_("Erase these persons everywhere (GDPR, irreversible)"))
def erase_persons(modeladmin, request, queryset):
    """Confirmation page listing what each erasure removes, then the erasure."""
    if not request.user.has_perm("actors.delete_person"):
        raise PermissionDenied
    persons = list(queryset)
    open_requests = RightsRequest.objects.filter(
        status__in=OPEN_STATUSES,
        kind__in=[RightKind.ERASURE, RightKind.OBJECTION],
        person__in=persons,
    )
    if request.POST.get("confirm") == "1":
        reason = request.POST.get("reason")
        if reason not in ErasureReason.values:
            reason = ErasureReason.STAFF
        by_person = {r.person_id: r for r in open_requests}
        erased = 0
        for person in persons:
            try:
                services.person_erase(
                    person=person,
                    reason=ErasureReason.REQUEST if person.pk in by_person else reason,
                    user=request.user,
                    request=by_person.get(person.pk),
                )
                erased += 1
            except ProtectedError as error:
                modeladmin.message_user(
                    request,
                    _("%(person)s was not erased: first remove or reassign %(rows)s.")
                    % {"person": person, "rows": services.protected_by(error)},
                    messages.ERROR,
                )
        modeladmin.message_user(
            request,
            _("%(count)s person(s) erased. The erasure log keeps only anonymous counts.")
            % {"count": erased},
            messages.SUCCESS,
        )
        return None
    previews = [(person, selectors.person_erasure_preview(person=person)) for person in persons]
    return TemplateResponse(
        request,
        "admin/actors/person/erase_confirmation.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Erase persons everywhere"),
            "opts": modeladmin.model._meta,
            "previews": previews,
            "queryset": queryset,
            "open_requests": open_requests,
            "reasons": ErasureReason.choices,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


class ConsentInline(admin.TabularInline):
    """The person's consent ledger. Staff record consents given by phone or on paper
    (channel and text version say how); rows are withdrawn, never rewritten."""

    model = Consent
    extra = 0
    fields = ("purpose", "fields", "given_at", "channel", "text_version", "withdrawn_at")
    ordering = ("-given_at",)

    def has_change_permission(self, request, obj=None):
        # Recorded rows are shown as they are; a withdrawal is entered on the consent's
        # own page, where nothing else can be changed.
        return False


class RightsRequestInline(admin.TabularInline):
    model = RightsRequest
    extra = 0
    fields = ("kind", "received_on", "due_on", "status")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class PersonPrivacyAdminMixin:
    """Adds the GDPR filters, inlines and actions to the persons' admin."""

    privacy_list_filter = (InformedFilter, RestrictedFilter)

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), ConsentInline, RightsRequestInline]

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), *self.privacy_list_filter)

    def delete_model(self, request, obj):
        """Deleting a person is erasing them: a plain delete would leave their name in
        the history and the admin log."""
        services.person_erase(person=obj, reason=ErasureReason.STAFF, user=request.user)

    def get_deleted_objects(self, objs, request):
        # What goes with a person (consents, roles…) goes by erasure, which `delete_person`
        # allows as a whole: no separate delete right is needed on each related table.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_queryset(self, request, queryset):
        for person in queryset:
            services.person_erase(person=person, reason=ErasureReason.STAFF, user=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "erase_persons" below, with its preview
        if request.user.has_perm("actors.change_person"):
            for function in (mark_informed, send_information):
                actions[function.__name__] = self.get_action(function)
        if request.user.has_perm("actors.delete_person"):
            actions[erase_persons.__name__] = self.get_action(erase_persons)
        return actions


class OverdueFilter(admin.SimpleListFilter):
    title = _("answer date")
    parameter_name = "echeance"

    def lookups(self, request, model_admin):
        return [("depassee", _("Overdue")), ("semaine", _("Due within 7 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "depassee":
            return queryset.filter(status__in=OPEN_STATUSES, due_on__lt=today)
        if self.value() == "semaine":
            return queryset.filter(
                status__in=OPEN_STATUSES,
                due_on__gte=today,
                due_on__lte=today + datetime.timedelta(days=7),
            )
        return queryset


@admin.register(RightsRequest)
class RightsRequestAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "person", "received_on", "due_on", "status", "overdue")
    list_display_links = ("pk", "kind")
    list_filter = (OverdueFilter, "status", "kind", "channel")
    date_hierarchy = "received_on"
    search_fields = ("person__last_name", "requester_name", "requester_email")
    autocomplete_fields = ("person",)
    readonly_fields = ("handled_by",)
    fields = (
        "person",
        "kind",
        ("requester_name", "requester_email"),
        "message",
        ("channel", "received_on", "due_on"),
        ("status", "closed_on"),
        "response",
        "handled_by",
    )

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    def save_model(self, request, obj, form, change):
        services.rights_request_update(request=obj, user=request.user)

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        summary = RightsRequest.objects.filter(status__in=OPEN_STATUSES).aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
        extra_context = {
            **(extra_context or {}),
            "summary": summary,
            "not_informed": selectors.persons_not_informed().count(),
        }
        return super().changelist_view(request, extra_context)


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyModelAdmin):
    """Read-only: erasures are written by the erasure service alone."""

    list_display = ("erased_at", "reason", "request", "erased_by")
    list_filter = ("reason",)
    readonly_fields = ("erased_at", "reason", "request", "erased_by", "counts")
