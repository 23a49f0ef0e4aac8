"""iCalendar feeds at stable URLs, for webcal subscriptions, and the download of one
event (what they hold: `villes2.events.ical`). Unknown cycles, organisers, themes and
territories give 404, as do unpublished events.

Calendar applications poll the feeds every few hours, and a feed of two years of a
pooled programme takes seconds to write (docs/performance.md). So a feed is written once
per state of the content and kept in the cache: its version is the search index's state
token (every change of an event, or of an organisation or concept it quotes, re-indexes
it and renews the token), the day (the feeds' window moves daily), the address and the
language. The version is also the feed's `ETag`: a client that sends it back gets
`304 Not Modified` without the feed being read at all.
"""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from villes2.actors.models import Organisation
from villes2.core.search import index_state
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.taxonomy.models import Concept
from villes2.territories import selectors as territory_selectors

from .. import ical
from ..models import Cycle, Event

# A written feed stays in the cache this long at most (changes the index does not see,
# such as a territory renamed by a reference-data update, show within this delay).
FEED_CACHE_SECONDS = 12 * 3600
# What clients and proxies may keep without asking again.
FEED_MAX_AGE = 15 * 60


def _feed_version(request: HttpRequest) -> str:
    state = "|".join(
        # The address without its query string: `?x=1`, `?x=2`… must not each write
        # and cache the feed again.
        (
            index_state(),
            ical.today().isoformat(),
            request.build_absolute_uri(request.path),
            get_language(),
        )
    )
    return hashlib.sha256(state.encode()).hexdigest()[:40]


def _feed_response(
    request: HttpRequest, events, *, name: str, description: str, complete: bool = False
) -> HttpResponse:
    version = _feed_version(request)
    etag = f'"{version}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    key = f"villes2:ical:{version}"
    body = cache.get(key)
    if body is None:
        body = ical.calendar_serialize(
            ical.feed_events(events, complete=complete),
            name=f"Villes² — {name}",
            description=description,
            url_for=request.build_absolute_uri,
            source=request.build_absolute_uri(request.path),
        )
        cache.set(key, body, FEED_CACHE_SECONDS)
    # Inline, not an attachment: calendar applications subscribe to it (webcal://).
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = "inline"
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    return response


@require_safe
def all_events(request: HttpRequest) -> HttpResponse:
    return _feed_response(
        request,
        None,
        name=_("agenda"),
        description=_("The programme of the networks of urban policy, by Villes²."),
    )


@require_safe
def cycle_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """Every session of the cycle, past ones included: a cycle is a finite series."""
    cycle = get_object_or_404(Cycle.objects.public(), slug=slug)
    return _feed_response(
        request,
        Event.objects.filter(cycle=cycle),
        complete=True,
        name=cycle.title,
        description=_("The sessions of “%(cycle)s”.") % {"cycle": cycle.title},
    )


@require_safe
def organiser_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """Events that the organisation or network co-organises (directly: not those of
    its members)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    organised = Event.organisers.through.objects.filter(organisation=organisation)
    return _feed_response(
        request,
        Event.objects.filter(pk__in=organised.values("event_id")),
        name=organisation.name,
        description=_("Events co-organised by %(organisation)s.")
        % {"organisation": organisation.name},
    )


@require_safe
def theme_feed(request: HttpRequest, scheme: str, slug: str) -> HttpResponse:
    """Events indexed with the concept or a narrower one, at any depth."""
    concept = get_object_or_404(Concept, scheme__slug=scheme, slug=slug)
    concept_ids = [
        pk for pk, lineage in taxonomy_selectors.concept_lineage().items() if concept.pk in lineage
    ]
    indexed = Event.themes.through.objects.filter(concept_id__in=concept_ids)
    return _feed_response(
        request,
        Event.objects.filter(pk__in=indexed.values("event_id")),
        name=concept.label,
        description=_("Events on the theme “%(theme)s”.") % {"theme": concept.label},
    )


@require_safe
def territory_feed(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """Events concerning the territory or held in it, or in anything it contains."""
    territory = territory_selectors.territory_find(kind=kind, code=code)
    if territory is None:
        # An old commune code or a lower-case code: the feed of the current territory.
        canonical = territory_selectors.territory_canonical(kind=kind, code=code)
        if canonical is None:
            raise Http404
        url = reverse("events:ical_territory", args=[canonical.kind, canonical.code])
        return redirect(url, permanent=True)
    return _feed_response(
        request,
        Event.objects.for_territory(territory),
        name=territory.name,
        description=_("Events concerning %(territory)s or held there.")
        % {"territory": territory.name},
    )


@require_safe
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = ical.event_for_download(slug)
    if event is None:
        raise Http404
    body = ical.event_serialize(event, url_for=request.build_absolute_uri)
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response
