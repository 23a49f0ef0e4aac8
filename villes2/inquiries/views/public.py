"""Public side of the desk (placeholders replaced by the public-side work in progress)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


index = inquiry_new = inquiry_done = inquiry_track = faq_list = faq_detail = _todo
