"""Back office of the interventions log: the list (with the half-days of what it shows),
the form, and two pages reached from the list, the map (with its table) and the month
calendar (with its table and an iCalendar export). Every save goes through
`services.interventions.intervention_save`; the form shows the service's checks on
their fields first (docs/inquiries.md, "Interventions").

Links from elsewhere: `?inquiry__id__exact=<id>` lists the interventions of a request,
`add/?inquiry=<id>` opens a new one linked to it."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from villes2.accounts.roles import STAFF_ROLES
from villes2.core.admin import ConcurrentEditAdminMixin, VersionedAdminForm

from ..filters import InterventionFilterSet
from ..models import Inquiry, Intervention, Procedure, validate_half_days
from ..selectors import interventions as selectors
from ..services.interventions import intervention_rule_errors, intervention_save

# --- List filters ---------------------------------------------------------------------


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "annee"

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in selectors.intervention_years()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.in_year(int(value))


class ProcedureListFilter(admin.SimpleListFilter):
    title = _("procedure")
    parameter_name = "procedure"

    def lookups(self, request, model_admin):
        return Procedure.choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in Procedure.values:
            raise IncorrectLookupParameters(value)
        return queryset.for_procedure(value)


class DepartementListFilter(admin.SimpleListFilter):
    """The site's département, among the centre's ten: the site is the département or
    lies inside it (a commune, an EPCI, a QPV)."""

    title = _("site’s département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        self.departements = {t.code: t for t in selectors.centre_departements()}
        return [(code, f"{code} — {t.name}") for code, t in self.departements.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in self.departements:
            raise IncorrectLookupParameters(value)
        return queryset.within(self.departements[value])


# --- The form -------------------------------------------------------------------------


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class InterventionForm(VersionedAdminForm):
    """Half-days as a French number ("1,5") with one message for every wrong value;
    procedures as checkboxes (the model keeps a JSON list, in the list's order); the
    date and the site checked by the service's rules, on their fields."""

    half_days = forms.DecimalField(
        label=capfirst(_("half-days")),
        localize=True,
        max_value=Decimal("999.5"),
        validators=[validate_half_days],
        help_text=_("0.5 for a half-day, 1 for a day, 1.5, 2…"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    procedures = forms.MultipleChoiceField(
        label=capfirst(_("procedures concerned")),
        choices=Procedure.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # No Meta: the admin gives the model and the fields.

    def clean_procedures(self) -> list[str]:
        chosen = set(self.cleaned_data["procedures"])
        return [value for value in Procedure.values if value in chosen]

    def clean(self):
        cleaned = super().clean()
        rules = intervention_rule_errors(date=cleaned.get("date"), site=cleaned.get("site"))
        for field, errors in rules.items():
            for error in errors:
                self.add_error(field, error)
        return cleaned


# --- The admin ------------------------------------------------------------------------


class _SaveThroughService(admin.ModelAdmin):
    """Saves through `intervention_save` (below `ConcurrentEditAdminMixin`, which sets
    the version first)."""

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        intervention_save(
            obj,
            organisations=data.get("organisations"),
            schemes=data.get("schemes"),
            staff=data.get("staff"),
        )

    def save_related(self, request, form, formsets, change):
        # `intervention_save` wrote the many-to-many fields with the intervention.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Intervention)
class InterventionAdmin(ConcurrentEditAdminMixin, _SaveThroughService):
    form = InterventionForm
    list_display = (
        "date",
        "title",
        "site_display",
        "kind",
        "half_days_display",
        "procedures_display",
        "staff_display",
    )
    list_display_links = ("date", "title")
    list_filter = (
        YearListFilter,
        "kind",
        ProcedureListFilter,
        DepartementListFilter,
        ("staff", admin.RelatedOnlyFieldListFilter),
    )
    date_hierarchy = "date"
    search_fields = ("title", "site__name", "site__code", "notes", "organisations__name")
    autocomplete_fields = ("site", "organisations", "schemes", "inquiry")
    fieldsets = (
        (None, {"fields": ("date", "title", "site", "kind", "half_days")}),
        (_("Procedures and schemes"), {"fields": ("procedures", "schemes")}),
        (_("Who"), {"fields": ("organisations", "staff")}),
        (_("Request and notes"), {"fields": ("inquiry", "notes", "seen_version")}),
    )

    # --- List -----------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).with_list_related()

    @admin.display(description=_("site"), ordering="site__name")
    def site_display(self, obj: Intervention) -> str:
        site = obj.site
        return format_html('{} <span class="quiet">{}</span>', site.name, site.get_kind_display())

    @admin.display(description=_("half-days"), ordering="half_days")
    def half_days_display(self, obj: Intervention) -> str:
        return selectors.half_days_number_label(obj.half_days)

    @admin.display(description=_("procedures"))
    def procedures_display(self, obj: Intervention) -> str:
        return selectors.procedures_label(obj.procedures)

    @admin.display(description=_("staff"))
    def staff_display(self, obj: Intervention) -> str:
        return ", ".join(user.get_full_name() or user.get_username() for user in obj.staff.all())

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        inquiry_id = request.GET.get("inquiry__id__exact", "")
        if inquiry_id.isdigit():
            extra_context["for_inquiry"] = Inquiry.objects.filter(pk=inquiry_id).first()
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context is not None and "cl" in context:
            context["totals"] = selectors.interventions_totals(queryset=context["cl"].queryset)
        return response

    # --- Form -----------------------------------------------------------------------

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            users = get_user_model().objects.filter(
                Q(groups__name__in=STAFF_ROLES) | Q(is_superuser=True), is_active=True
            )
            return StaffChoiceField(
                queryset=users.distinct().order_by("first_name", "last_name", "username"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=capfirst(db_field.verbose_name),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("staff", [request.user.pk])
        return initial

    # --- Map and calendar -----------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("carte/", view(self.map_view), name="inquiries_intervention_map"),
            path(
                "carte/donnees.geojson",
                view(self.map_data_view),
                name="inquiries_intervention_map_data",
            ),
            path("calendrier/", view(self.calendar_view), name="inquiries_intervention_calendar"),
            path(
                "calendrier/interventions.ics",
                view(self.icalendar_view),
                name="inquiries_intervention_icalendar",
            ),
            *super().get_urls(),
        ]

    def _check_view(self, request) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def _page_context(self, request, title: str, filterset) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "filterset": filterset,
            "list_url": reverse("admin:inquiries_intervention_changelist"),
            "map_url": reverse("admin:inquiries_intervention_map"),
            "calendar_url": reverse("admin:inquiries_intervention_calendar"),
        }

    def map_view(self, request):
        self._check_view(request)
        filterset = InterventionFilterSet(request.GET)
        context = self._page_context(request, gettext("Map of the interventions"), filterset)
        if not filterset.is_valid():
            return TemplateResponse(
                request, "admin/inquiries/intervention/map.html", context, status=400
            )
        rows = selectors.interventions_by_site(queryset=filterset.qs)
        mapped = selectors.mapped_site_ids(rows)
        context.update(
            rows=[
                (row, row.site.pk in mapped, filterset.changelist_query(site=row.site))
                for row in rows
            ],
            unmapped=sum(1 for row in rows if row.site.pk not in mapped),
            totals=selectors.Totals(
                sum(row.interventions for row in rows),
                sum((row.half_days for row in rows), Decimal(0)),
            ),
            legend=selectors.map_legend(rows),
            period=filterset.period_label(),
            data_url=reverse("admin:inquiries_intervention_map_data") + "?" + filterset.query(),
            calendar_query=filterset.query(mois=self._calendar_month(filterset)),
            changelist_query=filterset.changelist_query(),
        )
        return TemplateResponse(request, "admin/inquiries/intervention/map.html", context)

    @staticmethod
    def _calendar_month(filterset) -> int:
        """The month the map's link to the calendar opens: the one chosen, else this
        month in the current year, January in another."""
        if filterset.month:
            return filterset.month
        today = timezone.localdate()
        return today.month if filterset.year == today.year else 1

    def map_data_view(self, request):
        self._check_view(request)
        filterset = InterventionFilterSet(request.GET)
        if not filterset.is_valid():
            return JsonResponse({"errors": filterset.form.errors}, status=400)
        list_url = reverse("admin:inquiries_intervention_changelist")
        layer = selectors.interventions_map_layer(
            selectors.interventions_by_site(queryset=filterset.qs),
            frame=list(filterset.departements.values()),
            site_url=lambda site: f"{list_url}?{filterset.changelist_query(site=site)}",
        )
        return JsonResponse(layer, content_type="application/geo+json")

    def calendar_view(self, request):
        self._check_view(request)
        filterset = InterventionFilterSet(request.GET, month_required=True)
        context = self._page_context(request, gettext("Calendar of the interventions"), filterset)
        if not filterset.is_valid():
            return TemplateResponse(
                request, "admin/inquiries/intervention/calendar.html", context, status=400
            )
        year, month = filterset.year, filterset.month
        interventions = selectors.interventions_for_list(filterset.qs)
        month_calendar = selectors.interventions_month(interventions, year=year, month=month)
        previous, following = month_calendar.previous, month_calendar.next
        context.update(
            title=gettext("Interventions in %(month)s") % {"month": filterset.period_label()},
            calendar=month_calendar,
            weekdays=[WEEKDAYS[day] for day in range(7)],  # Monday first
            totals=selectors.Totals(
                len(interventions),
                sum((i.half_days for i in interventions), Decimal(0)),
            ),
            previous_query=previous and filterset.query(annee=previous.year, mois=previous.month),
            next_query=following and filterset.query(annee=following.year, mois=following.month),
            icalendar_query=filterset.query(mois=None),
            map_query=filterset.query(),
            changelist_query=filterset.changelist_query(),
        )
        return TemplateResponse(request, "admin/inquiries/intervention/calendar.html", context)

    def icalendar_view(self, request):
        """The interventions of the year (or of the month given), with the filters, as
        an .ics file to import into a calendar application."""
        self._check_view(request)
        filterset = InterventionFilterSet(request.GET)
        if not filterset.is_valid():
            return JsonResponse({"errors": filterset.form.errors}, status=400)
        interventions = selectors.interventions_for_list(filterset.qs)
        body = selectors.interventions_icalendar(
            interventions,
            name=gettext("Villes² — interventions, %(period)s")
            % {"period": filterset.period_label()},
            url_for=lambda intervention: request.build_absolute_uri(
                reverse("admin:inquiries_intervention_change", args=[intervention.pk])
            ),
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        name = f"interventions-{filterset.year}"
        if filterset.month:
            name += f"-{filterset.month:02d}"
        response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
        return response
