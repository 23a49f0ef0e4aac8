"""The coordination page of the networks' programmes: clashes between events of
different organisers (rules: `villes2.events.selectors.clashes`). For the centre's staff
and members of partner networks (permission `events.view_event`); unpublished events,
being planned, are included."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from villes2.territories.models import Territory, TerritoryKind

from .. import display
from ..models import Event
from ..selectors.clashes import Clash, clash_window_days, clashes_load_events, find_clashes

MAX_WINDOW_DAYS = 365
PAGE_SIZE = 50


class ClashFilterForm(forms.Form):
    """The page's filters, all optional (GET)."""

    region = forms.ModelChoiceField(
        label=_("Former region"),
        queryset=Territory.objects.filter(kind=TerritoryKind.FORMER_REGION).order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("All former regions"),
    )
    jours = forms.IntegerField(
        label=_("Days apart (same theme and audience)"),
        min_value=0,
        max_value=MAX_WINDOW_DAYS,
        required=False,
        error_messages={
            "invalid": _("Give a number of days between 0 and 365."),
            "min_value": _("Give a number of days between 0 and 365."),
            "max_value": _("Give a number of days between 0 and 365."),
        },
        # A text box (styled as the others) that brings up a numeric keypad.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    passes = forms.BooleanField(label=_("Include past events"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jours"].help_text = _("From 0 to 365; %(days)d by default.") % {
            "days": clash_window_days()
        }
        self.fields["jours"].widget.attrs["placeholder"] = str(clash_window_days())


@dataclass(frozen=True)
class _Shown:
    """An event of a clash as the page shows it."""

    event: Event
    url: str
    date: str
    place: str
    organisers: str


def _shown(event: Event, *, admin_links: bool) -> _Shown:
    if event.published:
        url = event.get_absolute_url()
    elif admin_links:
        url = reverse("admin:events_event_change", args=[event.pk])
    else:
        url = ""
    return _Shown(
        event=event,
        url=url,
        date=display.date_full_label(event),
        place=display.place_label(event),
        organisers=", ".join(o.name for o in event.organisers.all()),
    )


@login_required
@permission_required("events.view_event", raise_exception=True)
@require_safe
def clashes(request: HttpRequest) -> HttpResponse:
    form = ClashFilterForm(request.GET)
    found: list[Clash] | None = None
    window = clash_window_days()
    if form.is_valid():
        if form.cleaned_data["jours"] is not None:
            window = form.cleaned_data["jours"]
        found = find_clashes(
            window_days=window,
            since=None if form.cleaned_data["passes"] else timezone.localdate(),
            region=form.cleaned_data["region"],
            load_events=False,
        )
    page = Paginator(found or [], PAGE_SIZE).get_page(request.GET.get("page"))
    clashes_load_events(page.object_list)  # only the events this page shows
    # Unpublished events have no public page: their link opens the back office, for
    # those who may open it there.
    event_admin = admin.site.get_model_admin(Event)
    admin_links = request.user.is_staff and event_admin.has_view_permission(request)
    rows = [
        (clash, [_shown(event, admin_links=admin_links) for event in clash.events])
        for clash in page.object_list
    ]
    return render(
        request,
        "events/coordination.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "searched": found is not None,
            "window": window,
            "include_past": found is not None and form.cleaned_data["passes"],
        },
    )
