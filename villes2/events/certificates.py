"""The attendance certificate of a registrant, as a PDF made with fpdf2 and the vendored
DejaVu fonts (`villes2.core.pdf`)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from villes2.core.pdf import BRAND, FONT, INK, prepare

from .display import date_time_label, place_details
from .models import Registration


def certificate_file_name(registration: Registration) -> str:
    return f"attestation-{registration.event.slug}.pdf"


def certificate_pdf(registration: Registration) -> bytes:
    """The certificate of a registrant who attended (the caller checks that), in French:
    the centre, the person, the event with its date and place, the date of issue."""
    event = registration.event
    with translation.override("fr"):
        title = _("Attendance certificate")
        centre = _("Resource centre on urban policy")
        area = _("Centre and Poitou-Charentes")
        certifies = _("The Villes² resource centre certifies that")
        took_part = _("took part in “%(title)s”.") % {"title": event.title}
        date_line = _("Date: %(date)s") % {"date": date_time_label(event)}
        place = str(place_details(event))
        place_line = _("Place: %(place)s") % {"place": place} if place else ""
        issued = _("Issued on %(date)s.") % {
            "date": date_format(timezone.localdate(), "DATE_FORMAT")
        }
        signature = _("For the Villes² resource centre")

    pdf = prepare(
        FPDF(orientation="portrait", unit="mm", format="A4"),
        title=f"{title} — {event.title}",
        subject=title,
    )
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.add_page()
    width = pdf.epw

    # The centre
    pdf.set_text_color(*BRAND)
    pdf.set_font(FONT, "B", 22)
    pdf.cell(width, 11, "Villes²", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "", 11)
    pdf.cell(width, 6, centre, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 6, area, new_x="LMARGIN", new_y="NEXT")
    legal = settings.VILLES2_LEGAL
    publisher = ", ".join(part for part in (legal["publisher"], legal["address"]) if part)
    if publisher:
        pdf.cell(width, 6, publisher, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 4, pdf.l_margin + width, pdf.get_y() + 4)

    # The title
    pdf.set_y(pdf.get_y() + 30)
    pdf.set_font(FONT, "B", 24)
    pdf.multi_cell(width, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)

    # The person and the event
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(width, 8, certifies, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(width, 9, registration.name, align="C", new_x="LMARGIN", new_y="NEXT")
    if registration.organisation:
        pdf.set_font(FONT, "", 13)
        pdf.multi_cell(
            width, 8, registration.organisation, align="C", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(4)
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(width, 8, took_part, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(width, 7, date_line, align="C", new_x="LMARGIN", new_y="NEXT")
    if place_line:
        pdf.multi_cell(width, 7, place_line, align="C", new_x="LMARGIN", new_y="NEXT")

    # Issue
    pdf.ln(24)
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(width, 7, issued, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 7, signature, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
