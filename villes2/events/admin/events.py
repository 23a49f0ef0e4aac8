"""Back office of the programme: events (with their speakers and places), cycles and the
planned lines of action.

Every write goes through the programme's services: an event is saved by `event_save`,
re-indexed by `event_relations_changed` once its many-to-many fields and inlines are
saved (in the admin's transaction), and deleted by `event_delete`; a cycle is saved by
`cycle_save`, which re-indexes its events (they quote its title). Saving an event that
clashes with another one (`selectors.clashes`) saves it and warns, naming the other
event, its date and why."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villes2.core.admin import (
    ConcurrentEditAdminMixin,
    SaveThroughServiceAdmin,
    VersionedAdminForm,
)
from villes2.territories.models import Territory, TerritoryKind

from .. import display, services
from ..models import (
    Audience,
    Cycle,
    Event,
    EventPlace,
    EventSpeaker,
    ProgrammeLine,
    RegistrationStatus,
)
from ..selectors.clashes import clashes_for


class EventForm(VersionedAdminForm):
    """The concurrent-edit check; audiences as checkboxes (the model keeps a JSON list).
    The date rules (whole month or year for a vague date, the end not before the start)
    are the model's (`Event.clean`), reported on their fields."""

    audiences = forms.MultipleChoiceField(
        label=capfirst(_("audiences")),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # No Meta: the admin gives the model and the fields.

    def clean_audiences(self) -> list[str]:
        chosen = set(self.cleaned_data["audiences"])
        return [value for value in Audience.values if value in chosen]  # in the list's order


class EventSpeakerForm(forms.ModelForm):
    class Meta:
        model = EventSpeaker
        fields = ("order", "person", "name", "affiliation", "confirmed")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("person") and not (cleaned.get("name") or "").strip():
            # On the field, which also spares the model's constraint message.
            self.add_error(
                "name",
                ValidationError(
                    gettext("Choose a person of the directory or type a name."), code="unnamed"
                ),
            )
        return cleaned


class EventSpeakerInline(admin.TabularInline):
    model = EventSpeaker
    form = EventSpeakerForm
    extra = 1
    autocomplete_fields = ("person",)


class EventPlaceInline(admin.TabularInline):
    """The communes, in the order given ("Tours ou Orléans"): the candidates while the
    place is not confirmed."""

    model = EventPlace
    extra = 1
    fields = ("order", "territory")
    autocomplete_fields = ("territory",)
    verbose_name = _("place (commune)")
    verbose_name_plural = _("places (communes), in order")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "territory":
            # The suggestions come from the territories' admin (every kind); a place
            # that is not a commune is refused with this message.
            kwargs["queryset"] = Territory.objects.filter(kind=TerritoryKind.COMMUNE)
            kwargs["label"] = _("Commune")
            kwargs["error_messages"] = {
                "invalid_choice": _("Choose a commune: a place is a commune (“Tours”).")
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Event)
class EventAdmin(ConcurrentEditAdminMixin, SimpleHistoryAdmin, SaveThroughServiceAdmin):
    form = EventForm
    services = services
    save_service = "event_save"
    relations_service = "event_relations_changed"
    delete_service = "event_delete"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    ("strand", "kind"),
                    ("cycle", "cycle_position"),
                    "description",
                    "seen_version",
                )
            },
        ),
        (
            _("Date"),
            {
                "description": _(
                    "For a date known to the month only, the whole month is kept (the "
                    "year for a date known to the year): any day of it may be entered."
                ),
                "fields": (
                    ("start_date", "end_date"),
                    ("date_precision", "date_confirmed"),
                    ("start_time", "end_time"),
                ),
            },
        ),
        (
            _("Organisers, audiences, themes"),
            {"fields": ("organisers", "audiences", "themes", "territories")},
        ),
        (_("Place"), {"fields": ("place_confirmed", "venue", "address", "online_url")}),
        (
            _("Status, publication and registration"),
            {
                "fields": (
                    ("status", "published"),
                    ("registration_open", "capacity", "registration_closes_on"),
                )
            },
        ),
        (_("Management"), {"fields": ("source", "notes")}),
    )
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("cycle", "organisers", "themes", "territories")
    inlines = [EventPlaceInline, EventSpeakerInline]
    list_display = (
        "title",
        "dates",
        "strand",
        "kind",
        "status",
        "published",
        "registration_count",
    )
    list_filter = ("strand", "kind", "status", "published", "cycle")
    search_fields = ("title",)
    date_hierarchy = "start_date"
    ordering = ("-start_date", "title")
    show_full_result_count = False
    # An address typed without scheme is taken as https (Django 6's default, set now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        live = ~Q(registrations__status=RegistrationStatus.CANCELLED)
        return (
            super()
            .get_queryset(request)
            .annotate(registration_total=Count("registrations", filter=live))
        )

    @admin.display(description=_("dates"), ordering="start_date")
    def dates(self, obj: Event) -> str:
        return display.date_full_label(obj)

    @admin.display(description=_("registrations"), ordering="registration_total")
    def registration_count(self, obj: Event) -> int:
        return obj.registration_total

    def has_view_permission(self, request, obj=None):
        # Members of partner networks hold `view_event` for the coordination page, not
        # for the back office, which shows the centre's internal notes: viewing an
        # event here also takes `view_eventspeaker`, which only the centre's roles
        # have (migration 0002).
        return super().has_view_permission(request, obj) and (
            request.user.has_perm("events.view_eventspeaker")
            or super().has_change_permission(request, obj)
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # and re-indexed
        event = form.instance
        if change:
            services.event_registrations_follow(
                event=event,
                previous_status=form.initial.get("status"),
                previous_capacity=form.initial.get("capacity"),
                base_url=request.build_absolute_uri("/"),
            )
        for clash in clashes_for(event):
            other = clash.other(event)
            link = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:events_event_change", args=[other.pk]),
                other.title,
            )
            # Braces, not %-placeholders: format_html escapes everything but the link.
            message = format_html(
                gettext("Possible clash with “{event}” ({date}): {reasons}."),
                event=link,
                date=display.date_full_label(other),
                reasons="; ".join(reason.label for reason in clash.reasons),
            )
            messages.warning(request, message)


@admin.register(Cycle)
class CycleAdmin(ConcurrentEditAdminMixin, SimpleHistoryAdmin, SaveThroughServiceAdmin):
    # Its events quote its title (search, feeds): the service re-indexes them.
    services = services
    save_service = "cycle_save"
    relations_service = "cycle_relations_changed"
    delete_service = "cycle_delete"
    list_display = ("title", "strand", "event_count")
    list_filter = ("strand",)
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("themes",)
    fields = ("title", "slug", "strand", "description", "themes", "source", "seen_version")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_total=Count("events"))

    @admin.display(description=_("events"), ordering="event_total")
    def event_count(self, obj: Cycle) -> int:
        return obj.event_total


@admin.register(ProgrammeLine)
class ProgrammeLineAdmin(SimpleHistoryAdmin):
    list_display = ("year", "order", "text")
    list_display_links = ("text",)
    list_filter = ("year",)
    search_fields = ("text",)
    autocomplete_fields = ("themes",)
    ordering = ("-year", "order")
