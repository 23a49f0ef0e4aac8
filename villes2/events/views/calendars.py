"""TEMPORARY: replaced by the implementer of this module."""


def event_ics(request, **kwargs):
    raise NotImplementedError


def all_events(request, **kwargs):
    raise NotImplementedError


def cycle_feed(request, **kwargs):
    raise NotImplementedError


def organiser_feed(request, **kwargs):
    raise NotImplementedError


def theme_feed(request, **kwargs):
    raise NotImplementedError


def territory_feed(request, **kwargs):
    raise NotImplementedError
