"""Registrations in `/gestion/`: the list with check-in, cancellation and export actions,
the attendance sheet of an event (check-in at the door), certificates and exports.

Every write goes through the services (cancellation promotes from the waiting list and
mails; check-in is recorded with its time). Personal fields are read-only except the
name and organisation, which staff may correct before printing a certificate. Nothing
is added or deleted here: a registration is cancelled, or anonymised on request."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from villes2.actors.admin.exports import CSV, XLSX, export_response

from .. import services
from ..display import date_time_label
from ..models import Event, Registration, RegistrationStatus
from ..selectors.registrations import (
    attendance_sheet,
    registration_export_headers,
    registration_export_rows,
)
from ..views.registration import certificate_response

EXPORT_WHAT = "inscriptions"  # `DataExport.what` of the registrants' exports
CHANGE = "events.change_registration"
EVENT_FILTER = "event__id__exact"  # the changelist's parameter for one event


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def registrations_export_response(
    request: HttpRequest, registrations, file_format: str, *, name: str, filters: str
) -> HttpResponse:
    """The registrants as CSV or XLSX, written and logged as the directory's exports."""
    return export_response(
        request,
        what=EXPORT_WHAT,
        header=registration_export_headers(),
        rows=registration_export_rows(registrations=registrations),
        file_format=file_format,
        file_name=name,
        filters=filters,
    )


@admin.action(description=_("Mark as present"), permissions=["change"])
def mark_present(modeladmin, request, queryset):
    _check_in(modeladmin, request, queryset, attended=True)


@admin.action(description=_("Mark as absent"), permissions=["change"])
def mark_absent(modeladmin, request, queryset):
    _check_in(modeladmin, request, queryset, attended=False)


def _check_in(modeladmin, request, queryset, *, attended: bool) -> None:
    done = skipped = 0
    for registration in queryset:
        try:
            services.registration_check_in(
                registration=registration, attended=attended, user=request.user
            )
        except ValidationError:
            skipped += 1
        else:
            done += 1
    modeladmin.message_user(
        request, gettext("%(count)s registration(s) updated.") % {"count": done}
    )
    if skipped:
        modeladmin.message_user(
            request,
            gettext(
                "%(count)s registration(s) left unchanged: only confirmed registrations can "
                "be checked in."
            )
            % {"count": skipped},
            messages.WARNING,
        )


@admin.action(description=_("Cancel the registration"), permissions=["change"])
def cancel_registrations(modeladmin, request, queryset):
    """Through the service: a freed place goes to the waiting list, who are mailed."""
    count = 0
    live = queryset.exclude(status=RegistrationStatus.CANCELLED).filter(anonymised_at__isnull=True)
    for registration in live:
        services.registration_cancel(
            registration=registration, base_url=_base_url(request), user=request.user
        )
        count += 1
    modeladmin.message_user(
        request, gettext("%(count)s registration(s) cancelled.") % {"count": count}
    )


@admin.action(description=_("Export as CSV"), permissions=["change"])
def export_csv(modeladmin, request, queryset):
    return registrations_export_response(
        request, queryset, CSV, name="inscriptions", filters=request.GET.urlencode()
    )


@admin.action(description=_("Export as XLSX"), permissions=["change"])
def export_xlsx(modeladmin, request, queryset):
    return registrations_export_response(
        request, queryset, XLSX, name="inscriptions", filters=request.GET.urlencode()
    )


@admin.action(
    description=_("Erase the personal data (on request, irreversible)"), permissions=["anonymise"]
)
def anonymise(modeladmin, request, queryset):
    count = services.registrations_anonymise(registrations=queryset)
    modeladmin.message_user(
        request, gettext("%(count)s registration(s) anonymised.") % {"count": count}
    )


class EventFilter(admin.RelatedOnlyFieldListFilter):
    """The events that have registrations (the model's field has no French name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("event")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organisation",
        "email",
        "event_title",
        "status",
        "attended",
        "created_at",
    )
    list_filter = (("event", EventFilter), "status", "attended")
    list_select_related = ("event",)
    search_fields = ("name", "email", "organisation")
    search_help_text = _("Name, e-mail or organisation.")
    ordering = ("-created_at", "-pk")
    actions = [
        mark_present,
        mark_absent,
        cancel_registrations,
        export_csv,
        export_xlsx,
        anonymise,
    ]
    fields = (
        "event_link",
        "name",
        "organisation",
        "email",
        "role",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "attended",
        "checked_in_at",
        "anonymised_at",
    )
    readonly_fields = tuple(f for f in fields if f not in ("name", "organisation"))

    @admin.display(description=_("event"), ordering="event__start_date")
    def event_title(self, obj):
        return Truncator(obj.event.title).chars(50)

    @admin.display(description=_("event"))
    def event_link(self, obj):
        """The event, linked to its attendance sheet."""
        url = reverse("admin:events_registration_attendance", args=[obj.event_id])
        return format_html('<a href="{}">{}</a>', url, obj.event.title)

    def has_add_permission(self, request):
        return False  # registrations come from the public form

    def has_delete_permission(self, request, obj=None):
        return False  # cancel (the waiting list moves up) or anonymise instead

    def has_anonymise_permission(self, request):
        return request.user.has_perm("events.delete_registration")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.anonymised_at:
            return self.fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        services.registration_correct(
            registration=obj,
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data["organisation"],
            user=request.user,
        )

    def changelist_view(self, request, extra_context=None):
        """Filtered by one event, the list links to its attendance sheet and exports."""
        extra_context = extra_context or {}
        event_id = request.GET.get(EVENT_FILTER, "")
        if event_id.isdigit():
            extra_context["attendance_event"] = Event.objects.filter(pk=event_id).first()
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "emargement/<int:event_id>/",
                view(self.attendance_view),
                name="events_registration_attendance",
            ),
            path(
                "emargement/<int:event_id>/export.<str:file_format>",
                view(self.export_view),
                name="events_registration_export",
            ),
            path(
                "<int:pk>/attestation.pdf",
                view(self.certificate_view),
                name="events_registration_certificate",
            ),
            *super().get_urls(),
        ]

    def attendance_view(self, request, event_id: int):
        """The confirmed registrants of an event, with a present/absent button each."""
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=event_id)
        url = reverse("admin:events_registration_attendance", args=[event.pk])
        if request.method == "POST":
            pk = request.POST.get("registration", "")
            if not pk.isdigit():
                raise Http404
            registration = get_object_or_404(Registration, pk=pk, event=event)
            try:
                services.registration_check_in(
                    registration=registration,
                    attended=request.POST.get("attended") == "1",
                    user=request.user,
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(f"{url}#inscription-{registration.pk}")
        sheet = attendance_sheet(event)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Attendance sheet"),
            "subtitle": event.title,
            "opts": self.model._meta,
            "event": event,
            "date_label": date_time_label(event),
            "sheet": sheet,
            "list_url": reverse("admin:events_registration_changelist")
            + f"?{EVENT_FILTER}={event.pk}",
        }
        return TemplateResponse(request, "admin/events/registration/attendance.html", context)

    def export_view(self, request, event_id: int, file_format: str):
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        if file_format not in (CSV, XLSX):
            raise Http404
        event = get_object_or_404(Event, pk=event_id)
        return registrations_export_response(
            request,
            Registration.objects.filter(event=event, anonymised_at__isnull=True),
            file_format,
            name=f"inscrits-{event.slug}",
            filters=f"event={event.pk}",
        )

    def certificate_view(self, request, pk: int):
        if not request.user.has_perm("events.view_registration"):
            raise PermissionDenied
        registration = get_object_or_404(
            Registration.objects.select_related("event").prefetch_related(
                "event__place_links__territory"
            ),
            pk=pk,
            anonymised_at__isnull=True,
        )
        if not registration.attended or registration.status != RegistrationStatus.CONFIRMED:
            raise Http404
        return certificate_response(registration)
