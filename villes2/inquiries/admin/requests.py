"""The desk in `/gestion/`: the queue (the requests' change list, open requests first,
overdue ones on top), the entry of a request received by telephone, e-mail or at a
meeting (saved by `services.inquiry_receive`), and the request's page, whose form saves
through `services.inquiry_save` (never the status) with the concurrent-edit check and
whose desk panel (`desk`) takes the workflow's steps."""

from __future__ import annotations

import datetime
import re

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from villes2.core.admin import ConcurrentEditAdminMixin, VersionedAdminForm

from .. import services
from ..models import OPEN_STATUSES, Channel, Inquiry
from ..models import InquiryStatus as S
from ..querysets import QUEUE_ORDERING
from ..selectors import desk as selectors
from . import desk

# --- Filters -------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """Open requests unless told otherwise: the queue is what is still to answer.
    "All requests" is a choice of its own, so that the default can be left."""

    title = _("status")
    parameter_name = "statut"
    ALL = "toutes"
    DONE = "traitees"

    def lookups(self, request, model_admin):
        return [
            (self.ALL, _("All requests")),
            (self.DONE, _("Answered or closed")),
            *S.choices,
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL or (value is None and self._searching(request)):
            return queryset
        if value == self.DONE:
            return queryset.filter(status__in=(S.ANSWERED, S.CLOSED))
        if value in S.values:
            return queryset.filter(status=value)
        return queryset.filter(status__in=OPEN_STATUSES)

    @staticmethod
    def _searching(request) -> bool:
        # A search looks through every request (a reference, a name), unless a status
        # is chosen.
        return bool(request.GET.get("q", "").strip())

    def choices(self, changelist):
        value = self.value()
        if value is None and changelist.query.strip():
            value = self.ALL
        known = {self.ALL, self.DONE, *S.values}
        yield {
            "selected": value not in known,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Open (still to answer)"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "attribution"
    MINE = "moi"
    NOBODY = "personne"

    def lookups(self, request, model_admin):
        return [
            (self.MINE, _("Me (my requests)")),
            (self.NOBODY, _("Nobody (unassigned)")),
            *(
                (str(user.pk), services.user_name(user))
                for user in selectors.desk_staff()
                if user.pk != request.user.pk
            ),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.MINE:
            return queryset.filter(assignee=request.user)
        if value == self.NOBODY:
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class DueFilter(admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "echeance"
    OVERDUE = "depassee"
    SOON = "proche"

    def lookups(self, request, model_admin):
        return [
            (self.OVERDUE, _("Overdue")),
            (self.SOON, _("Due within 2 working days")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == self.OVERDUE:
            return queryset.overdue(today)
        if self.value() == self.SOON:
            return queryset.open().filter(
                due_date__gte=today, due_date__lte=services.add_working_days(today, 2)
            )
        return queryset


# --- Forms ---------------------------------------------------------------------------------


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time fields, each named (the admin's own are not labelled:
    WCAG 1.3.1, axe "label")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = _("Date received (dd/mm/yyyy)")
        self.widgets[1].attrs["aria-label"] = _("Time received (hh:mm)")


class InquiryForm(VersionedAdminForm):
    """The concurrent-edit check; the checks of a request typed by the staff."""

    # No Meta: the admin gives the model and the fields.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channel = self.fields.get("channel")
        if channel is not None and not self.instance.pk:
            # The web form has its own page; the staff type what came otherwise.
            channel.choices = [(v, label) for v, label in channel.choices if v != Channel.WEB]
        assignee = self.fields.get("assignee")
        if assignee is not None:
            assignee.queryset = selectors.desk_staff()
            assignee.help_text = gettext("Leave empty to put the request in the queue.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == Channel.EMAIL and not cleaned.get("requester_email"):
            self.add_error(
                "requester_email",
                ValidationError(
                    gettext("The request came by e-mail: give the address to answer to."),
                    code="email_required",
                ),
            )
        received = cleaned.get("received_at")
        if received is not None and received > timezone.now() + datetime.timedelta(minutes=5):
            self.add_error(
                "received_at",
                ValidationError(
                    gettext("A request cannot be received in the future."), code="future"
                ),
            )
        return cleaned


# --- The admin -----------------------------------------------------------------------------


class _SaveThroughServices(admin.ModelAdmin):
    """A request typed by the staff is received by `inquiry_receive` (then assigned by
    `inquiry_assign`); an edit is saved by `inquiry_save`. Under
    `ConcurrentEditAdminMixin`, which checks and increments the version first."""

    def save_model(self, request, obj, form, change):
        if change:
            services.inquiry_save(obj, user=request.user)
            return
        assignee, obj.assignee = obj.assignee, None
        saved = services.inquiry_receive(
            obj,
            themes=form.cleaned_data.get("themes") or (),
            user=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        if saved.pk != obj.pk:
            # The same request typed twice within minutes (a double click): kept once.
            obj.pk = saved.pk
            messages.warning(
                request,
                gettext("This request was already recorded a few minutes ago: here it is."),
            )
        elif assignee is not None:
            services.inquiry_assign(saved, assignee=assignee, user=request.user)

    def save_related(self, request, form, formsets, change):
        if change:  # a new request's themes are set by `inquiry_receive`
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(
            request,
            gettext("The request %(reference)s is recorded, due on %(date)s.")
            % {
                "reference": obj.reference,
                "date": date_format(Inquiry.objects.get(pk=obj.pk).due_date, "DATE_FORMAT"),
            },
        )
        return redirect("admin:inquiries_inquiry_change", obj.pk)


REFERENCE = re.compile(r"^\s*(?:D?\s*\d{4}\s*-\s*)?0*(\d{1,9})\s*$", re.IGNORECASE)
FULL_REFERENCE = re.compile(r"^\s*D\s*\d{4}\s*-", re.IGNORECASE)


class QueueChangeList(ChangeList):
    """The queue's default order is `queue_order`'s (overdue first); a column clicked
    orders by it. Kept out of `get_ordering`, which Django also applies to the choices of
    every foreign key to a request (interventions, FAQ entries), without the queue's
    annotations."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return [*QUEUE_ORDERING]

    def get_queryset(self, request, exclude_parameters=None):
        # The list shows neither the question nor the answer: not read for every row.
        return (
            super().get_queryset(request, exclude_parameters).defer("question", "answer", "consent")
        )


@admin.register(Inquiry)
class InquiryAdmin(ConcurrentEditAdminMixin, _SaveThroughServices):
    form = InquiryForm
    change_form_template = "admin/inquiries/inquiry/change_form.html"
    change_list_template = "admin/inquiries/inquiry/change_list.html"
    list_display = (
        "reference_column",
        "request_column",
        "kind",
        "territory_column",
        "status_column",
        "assignee_column",
        "due_column",
    )
    list_display_links = ("reference_column",)
    list_filter = (StatusFilter, AssigneeFilter, DueFilter, "kind", "requester_type", "channel")
    list_select_related = ("territory", "assignee")
    search_fields = (
        "subject",
        "requester_name",
        "requester_email",
        "requester_organisation",
        "organisation__name",
    )
    search_help_text = _(
        "Reference (D2026-00012 or 12), subject, requester's name, e-mail or organisation."
    )
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ("organisation", "territory", "themes")
    actions = ["assign_to_me"]

    REQUESTER = (
        ("requester_name", "requester_type"),
        ("requester_email", "requester_phone"),
        ("requester_organisation", "organisation"),
    )
    REQUEST = ("subject", "question", ("kind", "channel"), "received_at", "territory", "themes")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (
                    _("Requester"),
                    {
                        "description": _(
                            "For a request by telephone or at a meeting the e-mail address "
                            "is optional: without it, nothing is mailed, and the answer is "
                            "given by telephone or post."
                        ),
                        "fields": self.REQUESTER,
                    },
                ),
                (_("Request"), {"fields": self.REQUEST}),
                (_("Desk"), {"fields": ("assignee", "seen_version")}),
            )
        fieldsets = [
            (_("Requester"), {"fields": self.REQUESTER}),
            (_("Request"), {"fields": (*self.REQUEST, "seen_version")}),
        ]
        if obj.channel == Channel.WEB:
            fieldsets.append((_("Consent"), {"fields": ("consent", "consented_at")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.channel == Channel.WEB:
            # What the web form recorded stays as it came.
            return ("channel", "received_at", "consent", "consented_at")
        return ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "received_at":
            kwargs["widget"] = LabelledSplitDateTime()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        initial.setdefault("channel", Channel.PHONE)
        return initial

    # --- The queue ---------------------------------------------------------------------

    def get_queryset(self, request):
        return self.model._default_manager.queue_order()

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_search_results(self, request, queryset, search_term):
        match = REFERENCE.match(search_term or "")
        if match and FULL_REFERENCE.match(search_term):
            # A whole reference (D2026-00042) names one request: no text search.
            return queryset.filter(pk=int(match.group(1))), False
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if match:
            found |= queryset.filter(pk=int(match.group(1)))
        return found, may_have_duplicates

    def changelist_view(self, request, extra_context=None):
        counts = selectors.queue_counts(request.user)
        default_view = StatusFilter.parameter_name not in request.GET and not request.GET.get("q")
        extra_context = {
            "title": (
                pgettext("desk queue", "Open requests")
                if default_view
                else pgettext("desk queue", "Requests")
            ),
            "queue": counts,
            "status_links": [
                (value, label, counts.by_status.get(value)) for value, label in S.choices
            ],
            # A work page: the table needs the width (the breadcrumbs lead elsewhere).
            "is_nav_sidebar_enabled": False,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("reference, received"), ordering="received_at")
    def reference_column(self, obj: Inquiry) -> str:
        return format_html(
            '{}<span class="desk-received">{}</span>',
            obj.reference,
            date_format(timezone.localtime(obj.received_at), "SHORT_DATE_FORMAT"),
        )

    @admin.display(description=_("request"), ordering="subject")
    def request_column(self, obj: Inquiry) -> str:
        who = obj.requester_name or gettext("(no name)")
        if obj.requester_organisation:
            who = f"{who}, {obj.requester_organisation}"
        return format_html(
            '<span class="desk-subject">{}</span><span class="desk-requester">{} · {}</span>',
            obj.subject,
            who,
            obj.get_requester_type_display(),
        )

    @admin.display(description=_("territory"), ordering="territory__name")
    def territory_column(self, obj: Inquiry) -> str:
        return obj.territory.name if obj.territory_id else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, obj: Inquiry) -> str:
        return format_html(
            '<span class="desk-badge desk-status-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    @admin.display(description=_("assigned to"), ordering="assignee__first_name")
    def assignee_column(self, obj: Inquiry) -> str:
        if not obj.assignee_id:
            return "—"
        return obj.assignee.first_name or obj.assignee.get_username()

    @admin.display(description=_("answer due"), ordering="due_date")
    def due_column(self, obj: Inquiry) -> str:
        lateness = selectors.inquiry_lateness(obj)
        return format_html(
            '<span class="desk-due">{}</span> <span class="desk-badge desk-lateness-{}">{}</span>',
            date_format(obj.due_date, "SHORT_DATE_FORMAT"),
            lateness.level,
            lateness.label,
        )

    @admin.action(description=_("Assign the selected requests to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        done = 0
        for inquiry in queryset.filter(~Q(assignee=request.user)):
            services.inquiry_assign(inquiry, assignee=request.user, user=request.user)
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)s request assigned to you.", "%(count)s requests assigned to you.", done
            )
            % {"count": done},
            messages.SUCCESS,
        )

    # --- The request's page ------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "ressources-publiques/",
                view(desk.PublicResourceSearch.as_view(admin_site=self.admin_site)),
                name="inquiries_inquiry_public_autocomplete",
            ),
            path("<path:object_id>/etape/", view(self.take_step), name="inquiries_inquiry_step"),
            path(
                "<path:object_id>/attribution/",
                view(self.assign),
                name="inquiries_inquiry_assign",
            ),
            path(
                "<path:object_id>/journal/",
                view(self.log_action),
                name="inquiries_inquiry_log",
            ),
            path(
                "<path:object_id>/reponse/",
                view(self.write_answer),
                name="inquiries_inquiry_answer",
            ),
            path(
                "<path:object_id>/faq/",
                view(self.draft_faq),
                name="inquiries_inquiry_faq",
            ),
            *super().get_urls(),
        ]

    def take_step(self, request, object_id):
        return desk.step_view(request, object_id, model_admin=self)

    def assign(self, request, object_id):
        return desk.assign_view(request, object_id, model_admin=self)

    def log_action(self, request, object_id):
        return desk.log_view(request, object_id, model_admin=self)

    def write_answer(self, request, object_id):
        return desk.answer_view(request, object_id, model_admin=self)

    def draft_faq(self, request, object_id):
        return desk.faq_draft_view(request, object_id, model_admin=self)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            panel = desk.desk_panel(
                request, obj, can_change=self.has_change_permission(request, obj)
            )
            context["desk"] = panel
            context["media"] = context["media"] + panel.media
        return super().render_change_form(request, context, add, change, form_url, obj)
