"""TEMPORARY: replaced by the implementer of this module."""


def event_list(request, **kwargs):
    raise NotImplementedError


def event_month(request, **kwargs):
    raise NotImplementedError


def programme(request, **kwargs):
    raise NotImplementedError


def cycle_detail(request, **kwargs):
    raise NotImplementedError


def event_detail(request, **kwargs):
    raise NotImplementedError
