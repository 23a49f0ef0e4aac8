"""TEMPORARY: replaced by the implementer of this module."""


def clashes(request, **kwargs):
    raise NotImplementedError
