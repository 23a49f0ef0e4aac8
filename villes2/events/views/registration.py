"""TEMPORARY: replaced by the implementer of this module."""


def register(request, **kwargs):
    raise NotImplementedError


def manage(request, **kwargs):
    raise NotImplementedError


def certificate(request, **kwargs):
    raise NotImplementedError
