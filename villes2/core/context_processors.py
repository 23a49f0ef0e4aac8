from django.conf import settings
from django.urls import translate_url

from .registry import registry


def site(request):
    """Navigation sections and the URL of this page in the other language."""
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    alternates = [
        {
            "code": code,
            "name": name,
            "url": translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "navigation": [item for item in registry.navigation if item.header],
        "language_alternates": alternates,
        "map_tile_url": settings.VILLES2_MAP_TILE_URL,
        "map_tile_attribution": settings.VILLES2_MAP_TILE_ATTRIBUTION,
    }
