from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .selectors import database_is_available, missions_with_sections


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"missions": missions_with_sections()})


@require_safe
def centre(request: HttpRequest) -> HttpResponse:
    """ "Le centre": history, status, missions, publics and means, from the founding note."""
    return render(request, "core/centre.html", {"missions": missions_with_sections()})


@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html", {"legal": settings.VILLES2_LEGAL})


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", {"legal": settings.VILLES2_LEGAL})


@require_safe
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "core/personal_data.html", {"legal": settings.VILLES2_LEGAL})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer: 200 when the database answers, 503 otherwise."""
    if database_is_available():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read everything public; the back office is not for them. The
    sitemap lists the public pages (villes2.api.sitemaps)."""
    lines = [
        "User-agent: *",
        "Disallow: /gestion/",
        "Disallow: /annuaire/mes-choix/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
