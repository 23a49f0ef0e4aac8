from django.urls import path

from .views import calendars, coordination, public, registration

app_name = "events"

urlpatterns = [
    path("", public.event_list, name="list"),
    path("mois/<int:year>/<int:month>/", public.event_month, name="month"),
    path("programme/<int:year>/", public.programme, name="programme"),
    path("cycles/<slug:slug>/", public.cycle_detail, name="cycle"),
    path("evenements/<slug:slug>/", public.event_detail, name="detail"),
    path("evenements/<slug:slug>.ics", calendars.event_ics, name="event_ics"),
    path("evenements/<slug:slug>/inscription/", registration.register, name="register"),
    path("inscription/<str:token>/", registration.manage, name="registration"),
    path(
        "inscription/<str:token>/attestation.pdf",
        registration.certificate,
        name="certificate",
    ),
    path("ical", calendars.all_events, name="ical"),
    path("ical/cycle/<slug:slug>", calendars.cycle_feed, name="ical_cycle"),
    path("ical/organisateur/<slug:slug>", calendars.organiser_feed, name="ical_organiser"),
    path("ical/theme/<slug:scheme>/<slug:slug>", calendars.theme_feed, name="ical_theme"),
    path("ical/territoire/<str:kind>/<str:code>", calendars.territory_feed, name="ical_territory"),
    path("coordination/", coordination.clashes, name="coordination"),
]
